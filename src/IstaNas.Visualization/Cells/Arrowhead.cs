namespace IstaNas.Visualization.Cells;

/// <summary>The filled triangle at the end of an edge.</summary>
/// <param name="Tip">The point touching the target box.</param>
/// <param name="Upper">The back corner above the edge.</param>
/// <param name="Lower">The back corner below the edge.</param>
internal readonly record struct Arrowhead(DiagramPoint Tip, DiagramPoint Upper, DiagramPoint Lower)
{
    /// <summary>The bounding rectangle of the triangle.</summary>
    public DiagramRect Bounds
    {
        get
        {
            double left = Math.Min(Tip.X, Math.Min(Upper.X, Lower.X)), right = Math.Max(Tip.X, Math.Max(Upper.X, Lower.X));
            double top = Math.Min(Tip.Y, Math.Min(Upper.Y, Lower.Y)), bottom = Math.Max(Tip.Y, Math.Max(Upper.Y, Lower.Y));
            return new(left, top, right - left, bottom - top);
        }
    }
}
