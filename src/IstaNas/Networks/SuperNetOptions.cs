using IstaNas.Architecture;

namespace IstaNas.Networks;

/// <summary>Configuration of the search super-net (<see cref="SuperNet"/>); defaults are the two-stage proxy network.</summary>
public sealed record SuperNetOptions
{
    /// <summary>Intermediate nodes per cell (N). Default 4.</summary>
    public int Nodes { get; init; } = 4;

    /// <summary>
    /// The candidate operations (K = count), any subset of <see cref="IstaNas.Architecture.Operations.Default"/>
    /// (the DARTS baseline may add <see cref="IstaNas.Architecture.Operations.None"/>). Default: all seven, in the paper's order.
    /// </summary>
    public IReadOnlyList<string> Operations { get; init; } = IstaNas.Architecture.Operations.Default;

    /// <summary>Initial channels C. Default 16.</summary>
    public int Channels { get; init; } = 16;

    /// <summary>Number of cells L; reduction cells sit at L/3 and 2L/3. Default 8.</summary>
    public int Layers { get; init; } = 8;

    /// <summary>The stem outputs <c>StemMultiplier * Channels</c> channels. Default 3.</summary>
    public int StemMultiplier { get; init; } = 3;

    /// <summary>Channels of the input images, 1 or 3. Default 3.</summary>
    public int InputChannels { get; init; } = 3;

    /// <summary>Number of classes (at least 2). Default 10.</summary>
    public int Classes { get; init; } = 10;

    /// <summary>Whether the BNs have learnable scale and shift. False for the two-stage search (the default).</summary>
    public bool Affine { get; init; }

    /// <summary>
    /// Which parameter-free candidates get a BN appended. Default <see cref="AppendedBatchNorm.Pools"/>, as in the
    /// search super-nets of the authors and of DARTS (two-stage, DARTS baseline); the one-stage super-net uses
    /// <see cref="AppendedBatchNorm.PoolsAndSkip"/>.
    /// </summary>
    public AppendedBatchNorm AppendedBatchNorm { get; init; } = AppendedBatchNorm.Pools;

    /// <summary>Add the DARTS auxiliary head after cell 2L/3 (the one-stage form trains with it). Default false.</summary>
    public bool Auxiliary { get; init; }

    /// <summary>Number of candidate operations K.</summary>
    public int OperationCount => Operations.Count;

    /// <summary>Number of candidates of intermediate node <paramref name="node"/>: <c>(node + 2) * K</c>.</summary>
    /// <param name="node">0-based intermediate node index.</param>
    /// <returns>The candidate count.</returns>
    public int CandidateCount(int node) => (node + 2) * Operations.Count;

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentException">An option is out of range; the message names the option and its value.</exception>
    public void Validate()
    {
        NetworkValidation.AtLeast(Nodes, 1, nameof(Nodes));
        NetworkValidation.AtLeast(Channels, 1, nameof(Channels));
        NetworkValidation.AtLeast(Layers, 1, nameof(Layers));
        NetworkValidation.AuxiliaryNeedsThreeCells(Auxiliary, Layers);
        NetworkValidation.AtLeast(StemMultiplier, 1, nameof(StemMultiplier));
        NetworkValidation.InputChannels(InputChannels, nameof(InputChannels));
        NetworkValidation.AtLeast(Classes, 2, nameof(Classes));
        if (Operations is null || Operations.Count == 0)
        {
            throw new ArgumentException("Operations must list at least one operation.", nameof(Operations));
        }

        foreach (var name in Operations)
        {
            if (name is null || !OperationFactory.IsSupported(name))
            {
                throw new ArgumentException(
                    $"Operations contains unknown operation '{name}'; expected names from {string.Join(", ", IstaNas.Architecture.Operations.Default)} or {IstaNas.Architecture.Operations.None}.",
                    nameof(Operations));
            }
        }

        var duplicate = Operations.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Operations lists '{duplicate.Key}' more than once.", nameof(Operations));
        }
    }
}
