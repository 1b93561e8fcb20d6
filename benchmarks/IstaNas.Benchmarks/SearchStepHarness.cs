using System.Text.Json;
using IstaNas.Architecture;
using IstaNas.Data;
using IstaNas.Networks;
using IstaNas.SearchSpace;
using IstaNas.SparseCoding;
using IstaNas.Strategies;
using IstaNas.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Benchmarks;

/// <summary>Which super-net a <see cref="SearchStepHarness"/> drives.</summary>
public enum StepKind
{
    /// <summary>ISTA-NAS: 7 ops, support of 2 per node, alpha from the compressed space.</summary>
    Sparse,

    /// <summary>DARTS: none + 7 ops, every candidate runs, softmax alphas.</summary>
    Dense,
}

/// <summary>
/// The library's own search step (<c>BilevelStep</c>, what the two-stage and DARTS strategies run per minibatch pair) on
/// the super-net and search space the strategies build, with two fixed random batches held in memory (no data loading):
/// an architecture step (validation batch) and a W-step (training batch, gradient-norm clip 5).
/// </summary>
public sealed class SearchStepHarness : IDisposable
{
    private readonly SuperNet _net;
    private readonly IArchitectureSource _source;
    private readonly IDisposable _space;
    private readonly IReadOnlyList<TorchSharp.Modules.Parameter> _architecture;
    private readonly TorchSharp.Modules.Parameter[] _weights;
    private readonly optim.Optimizer _wOptimizer;
    private readonly optim.Optimizer _aOptimizer;
    private readonly Batch _train, _valid;
    private readonly RunningMetrics _trainMetrics = new(CPU), _validMetrics = new(CPU);

    /// <summary>Builds the network, the search space, both optimisers and two fixed random batches.</summary>
    public SearchStepHarness(StepKind kind, int channels, int layers, int batch, int imageSize = 32, long seed = 1)
    {
        Kind = kind;
        torch.random.manual_seed(seed);
        if (kind == StepKind.Sparse)
        {
            var space = new CompressedSearchSpace(new SearchSpaceOptions(), SparseCoder.Create(new SparseCoderOptions()), seed);
            (_source, _space, _architecture, Space) = (space, space, space.LatentParameters, space);
        }
        else
        {
            var space = new DartsSearchSpace(Operations.Default);
            (_source, _space, _architecture) = (space, space, space.Parameters);
        }

        IReadOnlyList<string> ops = kind == StepKind.Dense ? DartsSearchSpace.DenseOperations(Operations.Default) : Operations.Default;
        // The super-net of both bilevel strategies: non-affine BNs, a BN after every pool.
        _net = new SuperNet(new SuperNetOptions { Channels = channels, Layers = layers, Operations = ops, Classes = 10, Affine = false });
        _weights = _net.WeightParameters().ToArray();
        _wOptimizer = optim.SGD(_weights, 0.025, 0.9, weight_decay: 3e-4);
        _aOptimizer = optim.Adam(_architecture, 3e-4, 0.5, 0.999, weight_decay: 1e-3);
        _train = new Batch(randn(batch, 3, imageSize, imageSize), randint(0, 10, [batch], dtype: int64), 0, 0, [.. Enumerable.Range(0, batch)]);
        _valid = new Batch(randn(batch, 3, imageSize, imageSize), randint(0, 10, [batch], dtype: int64), 0, 0, [.. Enumerable.Range(0, batch)]);
        _net.train();
    }

    /// <summary>Sparse or dense.</summary>
    public StepKind Kind { get; }

    /// <summary>The compressed space (sparse only).</summary>
    public CompressedSearchSpace? Space { get; }

    /// <summary>
    /// Compute W's gradients in the architecture step too and throw them away, as the authors' code does: the
    /// like-for-like step of the PyTorch comparison. Off: the step the strategies run (W frozen in the architecture step).
    /// </summary>
    public bool LikeForLike { get; init; }

    /// <summary>
    /// The two-stage defaults since issue 21 (on): b in the gradient-norm clip and W's gradients zero-filled, so SGD steps
    /// every weight that ever ran. Off: the step before issue 21 (the clip over W only, idle candidates not stepped), for
    /// comparing the step's cost across commits like for like (benchmarks/step-vs-commit.sh).
    /// </summary>
    public bool Issue21Defaults { get; init; } = true;

    /// <summary>The support of every node as JSON <c>{"normal": [[c, c], ...], "reduce": [...]}</c>, for the PyTorch reference.</summary>
    public string SupportsJson() => JsonSerializer.Serialize(new Dictionary<string, int[][]>
    {
        ["normal"] = [.. Enumerable.Range(0, 4).Select(i => Space!.Support(CellType.Normal, i).ToArray())],
        ["reduce"] = [.. Enumerable.Range(0, 4).Select(i => Space!.Support(CellType.Reduce, i).ToArray())],
    });

    /// <summary>
    /// One W-step through every candidate, so that SGD creates the momentum buffers of all parameters now (otherwise
    /// each support change after a recovery creates some, which is optimiser state, not a leak).
    /// </summary>
    public void WarmAllCandidates()
    {
        using var scope = NewDisposeScope();
        int k = _net.Options.OperationCount;
        foreach (CellType cell in new[] { CellType.Normal, CellType.Reduce })
            _net.SetArchitecture(cell, [.. Enumerable.Range(0, 4).Select(i =>
                new NodeWeights([.. Enumerable.Range(0, (i + 2) * k)], full((i + 2) * k, 0.1f)))]);
        _wOptimizer.zero_grad();
        nn.functional.cross_entropy(_net.forward(_train.Images), _train.Labels).backward();
        _wOptimizer.step();
    }

    /// <summary>One architecture step and one W-step, as the two-stage strategy runs them at its defaults (b in the clip, W's gradients zero-filled).</summary>
    public void Step()
    {
        using var scope = NewDisposeScope();
        BilevelStep.Run(_net, () => _net.SetArchitecture(_source), _architecture, _aOptimizer, _weights, _wOptimizer, 5.0, clipArchitecture: Issue21Defaults, zeroFillWeights: Issue21Defaults,
            _valid, _train, _validMetrics, _trainMetrics, freezeWeights: !LikeForLike);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _wOptimizer.Dispose();
        _aOptimizer.Dispose();
        _net.Dispose();
        _space.Dispose();
        _train.Dispose();
        _valid.Dispose();
        _trainMetrics.Dispose();
        _validMetrics.Dispose();
    }
}
