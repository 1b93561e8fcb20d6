namespace IstaNas.Visualization;

/// <summary>A point in diagram coordinates (pixels of a 1x rendering, y pointing down).</summary>
/// <param name="X">Horizontal position.</param>
/// <param name="Y">Vertical position.</param>
public readonly record struct DiagramPoint(double X, double Y);
