namespace IstaNas.Visualization.Cells;

/// <summary>The role of a box in a cell diagram.</summary>
internal enum CellBoxKind
{
    /// <summary>A cell input: c_{k-2} or c_{k-1}.</summary>
    Input = 0,

    /// <summary>An intermediate node n0..n{N-1}.</summary>
    Node = 1,

    /// <summary>The cell output c_{k} (the concatenation).</summary>
    Output = 2,
}
