namespace IstaNas.Visualization.Cells;

/// <summary>A cubic Bézier piece of an edge (a straight piece has its control points on the line).</summary>
/// <param name="Start">Start point.</param>
/// <param name="Control1">First control point.</param>
/// <param name="Control2">Second control point.</param>
/// <param name="End">End point.</param>
internal readonly record struct CubicSegment(DiagramPoint Start, DiagramPoint Control1, DiagramPoint Control2, DiagramPoint End)
{
    /// <summary>A straight piece from <paramref name="a"/> to <paramref name="b"/>.</summary>
    public static CubicSegment Line(DiagramPoint a, DiagramPoint b) =>
        new(a, new((2 * a.X + b.X) / 3, (2 * a.Y + b.Y) / 3), new((a.X + 2 * b.X) / 3, (a.Y + 2 * b.Y) / 3), b);

    /// <summary>
    /// An S-curve from <paramref name="a"/> to <paramref name="b"/> (b to the right of a) that leaves and arrives
    /// horizontally; its y moves monotonically from a's to b's.
    /// </summary>
    public static CubicSegment Horizontal(DiagramPoint a, DiagramPoint b)
    {
        double d = (b.X - a.X) / 2;
        return new(a, new(a.X + d, a.Y), new(b.X - d, b.Y), b);
    }

    /// <summary>The point at parameter <paramref name="t"/> (0 = start, 1 = end).</summary>
    public DiagramPoint PointAt(double t)
    {
        double u = 1 - t;
        double a = u * u * u, b = 3 * u * u * t, c = 3 * u * t * t, d = t * t * t;
        return new(a * Start.X + b * Control1.X + c * Control2.X + d * End.X, a * Start.Y + b * Control1.Y + c * Control2.Y + d * End.Y);
    }
}
