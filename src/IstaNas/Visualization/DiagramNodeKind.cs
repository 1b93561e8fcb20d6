namespace IstaNas.Visualization;

/// <summary>The role of a box in a cell diagram.</summary>
public enum DiagramNodeKind
{
    /// <summary>A cell input: c_{k-2} or c_{k-1}.</summary>
    Input = 0,

    /// <summary>An intermediate node 0..N-1.</summary>
    Intermediate = 1,

    /// <summary>The cell output c_{k} (the concatenation).</summary>
    Output = 2,
}
