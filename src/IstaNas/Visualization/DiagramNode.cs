namespace IstaNas.Visualization;

/// <summary>One box of a cell diagram.</summary>
/// <param name="Id">Stable identifier: "c_{k-2}", "c_{k-1}", "0".."N-1" or "c_{k}".</param>
/// <param name="Label">Text drawn in the box (the same as <paramref name="Id"/>).</param>
/// <param name="Kind">Input, intermediate node or output.</param>
/// <param name="Center">Centre of the box.</param>
/// <param name="Width">Box width.</param>
/// <param name="Height">Box height.</param>
public sealed record DiagramNode(string Id, string Label, DiagramNodeKind Kind, DiagramPoint Center, double Width, double Height)
{
    /// <summary>Fill colour (#rrggbb), after DARTS' plot_genotype: green inputs, blue nodes, yellow output.</summary>
    public string Fill => Kind switch
    {
        DiagramNodeKind.Input => "#b4eeb4",
        DiagramNodeKind.Intermediate => "#add8e6",
        _ => "#eee8aa",
    };
}
