namespace IstaNas.Visualization.Cells;

/// <summary>One box of a cell diagram.</summary>
/// <param name="Name">The name drawn in the box, as <c>Genotype.ToString()</c> writes it: c_{k-2}, c_{k-1}, n0.., c_{k}.</param>
/// <param name="Kind">Input, intermediate node or output.</param>
/// <param name="Bounds">Where the box is.</param>
internal sealed record CellBox(string Name, CellBoxKind Kind, DiagramRect Bounds)
{
    /// <summary>Fill colour (#rrggbb), after DARTS' plot_genotype: green inputs, blue nodes, yellow output.</summary>
    public string Fill => Kind switch
    {
        CellBoxKind.Input => "#b4eeb4",
        CellBoxKind.Node => "#add8e6",
        _ => "#eee8aa",
    };
}
