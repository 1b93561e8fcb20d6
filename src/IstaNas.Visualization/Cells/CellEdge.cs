namespace IstaNas.Visualization.Cells;

/// <summary>One arrow of a cell diagram.</summary>
/// <param name="From">Name of the source box.</param>
/// <param name="To">Name of the target box.</param>
/// <param name="Operation">The operation of an (operation, predecessor) pair; null for an arrow into the output.</param>
/// <param name="Color">Stroke colour (#rrggbb): the operation's, grey into the output.</param>
/// <param name="Path">The curve, piece by piece, from the source box to the back of the arrowhead.</param>
/// <param name="Arrow">The arrowhead, its tip on the target box.</param>
/// <param name="Label">The box of the operation label, on the curve (null for arrows into the output).</param>
internal sealed record CellEdge(string From, string To, string? Operation, string Color, IReadOnlyList<CubicSegment> Path, Arrowhead Arrow, DiagramRect? Label)
{
    /// <summary>Points along the curve, <paramref name="perSegment"/> per curved piece (straight pieces: their ends).</summary>
    public IReadOnlyList<DiagramPoint> Flatten(int perSegment = 16)
    {
        var points = new List<DiagramPoint>();
        foreach (CubicSegment s in Path)
        {
            bool straight = Math.Abs(s.Start.Y - s.End.Y) < 1e-9 && Math.Abs(s.Control1.Y - s.Start.Y) < 1e-9 && Math.Abs(s.Control2.Y - s.Start.Y) < 1e-9;
            int n = straight ? 1 : perSegment;
            for (int i = points.Count == 0 ? 0 : 1; i <= n; i++) points.Add(s.PointAt((double)i / n));
        }
        return points;
    }
}
