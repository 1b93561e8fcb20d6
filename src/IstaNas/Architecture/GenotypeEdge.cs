namespace IstaNas.Architecture;

/// <summary>One chosen (operation, predecessor) pair of an intermediate node.</summary>
/// <param name="Operation">Operation name, one of <see cref="Operations.Default"/>.</param>
/// <param name="Input">Predecessor: 0 and 1 are the cell inputs (c_{k-2}, c_{k-1}); 2 + j is intermediate node j.</param>
public sealed record GenotypeEdge(string Operation, int Input)
{
    /// <inheritdoc />
    public override string ToString() => $"{Operation}({InputName(Input)})";

    /// <summary>Readable name of a predecessor index: c_{k-2}, c_{k-1}, n0, n1, ...</summary>
    public static string InputName(int input) => input switch
    {
        0 => "c_{k-2}",
        1 => "c_{k-1}",
        _ => $"n{input - 2}",
    };
}
