using IstaNas.Choices;
using static TorchSharp.torch;

namespace IstaNas.Spaces.Nb201;

/// <summary>
/// The NAS-Bench-201 space (Dong &amp; Yang, ICLR 2020) built as the benchmark's code (D-X-Y/AutoDL-Projects) builds it:
/// C = 16, N = 5 (three stages of N cells joined by two residual reductions), a cell of 4 nodes and 6 edges, each edge
/// one of <see cref="Nb201Architecture.Operations"/>.
/// <para>
/// Shared decisions: the search model's 15 cells each hold 6 <see cref="Choice"/> modules named by edge
/// (<c>"1&lt;-0"</c> ... <c>"3&lt;-2"</c>). Choices with the same name in one model are one decision: a search gives
/// all of them the same candidates and weights, and an architecture (<see cref="Nb201Architecture.ToChoices"/>) fixes
/// them alike, as the benchmark's search models share one set of architecture parameters across all cells.
/// </para>
/// </summary>
public static class Nb201Space
{
    /// <summary>
    /// The search super-net (<c>TinyNetworkDarts</c> with <c>NAS201SearchCell</c>): every edge a choice over the 5
    /// operations with 1 pick. The cells' BN is non-affine (<c>affine=False</c>, so their convolutions have a bias) as in the
    /// benchmark's search scripts; the reductions, stem and final BN are affine with running statistics.
    /// </summary>
    /// <param name="classes">Classifier outputs (10 for CIFAR-10).</param>
    /// <param name="channels">C (16 in the benchmark).</param>
    /// <param name="cellsPerStage">N (5 in the benchmark).</param>
    /// <param name="trackRunningStats">The cells' BN keeps running statistics: the search scripts' <c>--track_running_stats</c>
    /// (their example runs use 0, the default here: batch statistics also in eval mode).</param>
    /// <param name="batchNorm">False builds the zero-cost proxies' BN-free copy (SamsungLabs/zero-cost-nas'
    /// <c>nasbench2</c> model with <c>use_bn=False</c>): no BN in the stem, the cells or before the classifier; the two
    /// reductions keep theirs. Use it for <c>synflow</c>.</param>
    /// <returns>A module whose decisions are the 90 choices (15 cells x 6 edges, 6 distinct names).</returns>
    public static nn.Module<Tensor, Tensor> SearchModel(int classes = 10, int channels = 16, int cellsPerStage = 5, bool trackRunningStats = false, bool batchNorm = true)
    {
        var norm = new Nb201BatchNorm(batchNorm, false, trackRunningStats);
        return new Nb201Network(channels, cellsPerStage, classes, c => new Nb201SearchCell(c, norm), batchNorm);
    }

    /// <summary>
    /// The super-net of a one-stage search: the search super-net's choices with the inference network's BN (affine, with
    /// running statistics, convolutions without bias). One-stage ISTA-NAS trains the final network in place (as the DARTS
    /// one-stage super-net uses the target network's affine BN), so the non-affine, batch-statistics BN of the
    /// benchmark's search scripts would leave no BN to absorb alpha into and a network that depends on its batch. The
    /// <c>nor_conv</c> candidates end in that BN and absorb alpha; <c>skip_connect</c> and <c>avg_pool_3x3</c> keep alpha as a
    /// constant scale; <c>none</c> outputs zero whatever its alpha (docs/search-spaces.md, "One-stage on your space").
    /// </summary>
    /// <param name="classes">Classifier outputs (10 for CIFAR-10).</param>
    /// <param name="channels">C (16 in the benchmark).</param>
    /// <param name="cellsPerStage">N (5 in the benchmark).</param>
    /// <returns>A module whose decisions are the 90 choices (15 cells x 6 edges, 6 distinct names).</returns>
    public static nn.Module<Tensor, Tensor> OneStageSearchModel(int classes = 10, int channels = 16, int cellsPerStage = 5) =>
        new Nb201Network(channels, cellsPerStage, classes, c => new Nb201SearchCell(c, Nb201BatchNorm.Inference), true);

    /// <summary>The inference network of one cell (<c>TinyNetwork</c> with <c>InferCell</c>: affine BN with running statistics, convolutions without bias).</summary>
    /// <param name="architecture">The cell every stage repeats.</param>
    /// <param name="classes">Classifier outputs (10 for CIFAR-10).</param>
    /// <param name="channels">C (16 in the benchmark).</param>
    /// <param name="cellsPerStage">N (5 in the benchmark).</param>
    /// <returns>The network; its forward returns the logits.</returns>
    public static nn.Module<Tensor, Tensor> Network(Nb201Architecture architecture, int classes = 10, int channels = 16, int cellsPerStage = 5)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        return new Nb201Network(channels, cellsPerStage, classes, c => new Nb201InferCell(architecture, c, Nb201BatchNorm.Inference), true);
    }

    /// <summary>
    /// The search model fixed to one cell with only the cell's operations built (SamsungLabs/zero-cost-nas' NAS-Bench-201
    /// model: search BN settings, <c>affine=False</c>, no running statistics): what the proxies score, cheaper to build
    /// than <see cref="SearchModel"/> + <see cref="Fix"/>, and computing the same function of the kept weights.
    /// </summary>
    internal static nn.Module<Tensor, Tensor> FixedSearchModel(Nb201Architecture architecture, bool batchNorm, int classes = 10)
    {
        var norm = new Nb201BatchNorm(batchNorm, false, false);
        return new Nb201Network(16, 5, classes, c => new Nb201InferCell(architecture, c, norm), batchNorm);
    }

    /// <summary>Fixes every choice of a search model to <paramref name="architecture"/> (all cells alike).</summary>
    /// <param name="searchModel">A model from <see cref="SearchModel"/>.</param>
    /// <param name="architecture">The cell.</param>
    /// <exception cref="ArgumentException">The model has no NAS-Bench-201 edge choices, or a choice with an unknown name.</exception>
    public static void Fix(nn.Module searchModel, Nb201Architecture architecture)
    {
        ArgumentNullException.ThrowIfNull(searchModel);
        ArgumentNullException.ThrowIfNull(architecture);
        IReadOnlyDictionary<string, int[]> picks = architecture.ToChoices();
        int fixedCount = 0;
        foreach (Choice choice in searchModel.modules().OfType<Choice>())
        {
            if (!picks.TryGetValue(choice.Name, out int[]? pick))
                throw new ArgumentException($"The model has a choice '{choice.Name}' that is not a NAS-Bench-201 edge ({string.Join(", ", Nb201Architecture.EdgeNames)}).", nameof(searchModel));
            choice.Fix(pick);
            fixedCount++;
        }

        if (fixedCount == 0)
            throw new ArgumentException("The model has no choices; pass a model made by Nb201Space.SearchModel.", nameof(searchModel));
    }
}
