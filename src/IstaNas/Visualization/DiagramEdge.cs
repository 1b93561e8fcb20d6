namespace IstaNas.Visualization;

/// <summary>
/// One arrow of a cell diagram: a quadratic Bézier curve from <see cref="Start"/> over <see cref="Control"/>
/// to <see cref="End"/> (the arrow head sits at <see cref="End"/>, pointing along Control→End).
/// </summary>
/// <param name="From">Id of the source box.</param>
/// <param name="To">Id of the target box.</param>
/// <param name="Operation">Operation name of an (operation, predecessor) pair; null for an arrow into the output.</param>
/// <param name="Color">Stroke colour (#rrggbb): one per operation, grey for output arrows.</param>
/// <param name="Start">Where the curve leaves the source box.</param>
/// <param name="Control">Control point of the curve.</param>
/// <param name="End">Where the curve meets the target box.</param>
public sealed record DiagramEdge(string From, string To, string? Operation, string Color, DiagramPoint Start, DiagramPoint Control, DiagramPoint End)
{
    /// <summary>The point halfway along the curve (t = 0.5), where the label goes.</summary>
    public DiagramPoint Middle => PointAt(0.5);

    /// <summary>The point of the curve at parameter <paramref name="t"/> (0 = start, 1 = end).</summary>
    public DiagramPoint PointAt(double t)
    {
        double u = 1 - t;
        return new DiagramPoint(
            u * u * Start.X + 2 * u * t * Control.X + t * t * End.X,
            u * u * Start.Y + 2 * u * t * Control.Y + t * t * End.Y);
    }
}
