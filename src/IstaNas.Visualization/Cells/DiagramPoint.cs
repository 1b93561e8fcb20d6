namespace IstaNas.Visualization.Cells;

/// <summary>A point of a cell diagram (pixels of a 1x rendering, y pointing down).</summary>
/// <param name="X">Horizontal position.</param>
/// <param name="Y">Vertical position.</param>
internal readonly record struct DiagramPoint(double X, double Y);
