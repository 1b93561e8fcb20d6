using IstaNas.Architecture;
using IstaNas.Networks;
using IstaNas.SearchSpace;
using IstaNas.SparseCoding;
using IstaNas.Strategies;
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
/// One search step exactly as the strategies do it, on random data held in memory: an architecture step (forward,
/// backward, Adam on b or alpha, validation batch) and a W-step (forward, backward, grad-norm clip 5, SGD; training batch).
/// </summary>
public sealed class SearchStepHarness : IDisposable
{
    private readonly SearchNetwork _net;
    private readonly CompressedSearchSpace? _space;
    private readonly TorchSharp.Modules.Parameter? _alphaNormal;
    private readonly TorchSharp.Modules.Parameter? _alphaReduce;
    private readonly TorchSharp.Modules.Parameter[] _weights;
    private readonly optim.Optimizer _wOptimizer;
    private readonly optim.Optimizer _aOptimizer;
    private readonly Tensor _trainX, _trainY, _validX, _validY;

    /// <summary>Builds the network, the space or the alphas, both optimisers and two fixed random batches.</summary>
    public SearchStepHarness(StepKind kind, int channels, int layers, int batch, int imageSize = 32, long seed = 1)
    {
        Kind = kind;
        torch.random.manual_seed(seed);
        var nodes = 4;
        IReadOnlyList<string> ops = kind == StepKind.Dense ? DartsSearchSpace.DenseOperations(Operations.Default) : Operations.Default;
        _net = new SearchNetwork(new SuperNetOptions { Channels = channels, Layers = layers, Operations = ops, Classes = 10, Affine = false });
        _weights = _net.WeightParameters().ToArray();
        _wOptimizer = optim.SGD(_weights, 0.025, 0.9, weight_decay: 3e-4);
        if (kind == StepKind.Sparse)
        {
            _space = new CompressedSearchSpace(new SearchSpaceOptions(), new TensorSparseCoder(new SparseCoderOptions()), seed);
            _aOptimizer = optim.Adam(_space.LatentParameters, 3e-4, 0.5, 0.999, weight_decay: 1e-3);
        }
        else
        {
            _alphaNormal = new TorchSharp.Modules.Parameter(randn(DartsSearchSpace.EdgeCount(nodes), ops.Count).mul_(1e-3));
            _alphaReduce = new TorchSharp.Modules.Parameter(randn(DartsSearchSpace.EdgeCount(nodes), ops.Count).mul_(1e-3));
            _aOptimizer = optim.Adam([_alphaNormal, _alphaReduce], 3e-4, 0.5, 0.999, weight_decay: 1e-3);
        }
        _trainX = randn(batch, 3, imageSize, imageSize).DetachFromDisposeScope();
        _validX = randn(batch, 3, imageSize, imageSize).DetachFromDisposeScope();
        _trainY = randint(0, 10, [batch], dtype: int64).DetachFromDisposeScope();
        _validY = randint(0, 10, [batch], dtype: int64).DetachFromDisposeScope();
        _net.train();
    }

    /// <summary>Sparse or dense.</summary>
    public StepKind Kind { get; }

    /// <summary>The super-net.</summary>
    public SearchNetwork Network => _net;

    /// <summary>The compressed space (sparse only).</summary>
    public CompressedSearchSpace? Space => _space;

    /// <summary>
    /// Skip the gradients of W in the architecture step (W.requires_grad = false while it runs): the step only needs
    /// d loss / d b. Both strategies do it (BilevelStep); off by default here so that sparse and dense compare like with like.
    /// </summary>
    public bool FreezeWeightsInArchStep { get; set; }

    /// <summary>Clip with the tensor-only helper instead of <c>nn.utils.clip_grad_norm_</c>.</summary>
    public bool TensorClip { get; set; }

    /// <summary>Time in the architecture step and the W-step, accumulated (for breakdowns).</summary>
    public TimeSpan ArchTime { get; private set; }

    /// <summary>Time in the W-steps, accumulated.</summary>
    public TimeSpan WeightTime { get; private set; }

    private void SetArchitecture()
    {
        if (_space is not null)
        {
            _net.SetArchitecture(CellType.Normal, _space.ArchitectureWeights(CellType.Normal));
            _net.SetArchitecture(CellType.Reduce, _space.ArchitectureWeights(CellType.Reduce));
        }
        else
        {
            _net.SetArchitecture(CellType.Normal, DartsSearchSpace.DenseArchitecture(_alphaNormal!, 4));
            _net.SetArchitecture(CellType.Reduce, DartsSearchSpace.DenseArchitecture(_alphaReduce!, 4));
        }
    }

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
        nn.functional.cross_entropy(_net.forward(_trainX), _trainY).backward();
        _wOptimizer.step();
    }

    /// <summary>One architecture step and one W-step.</summary>
    public void Step()
    {
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        using (NewDisposeScope())
        {
            _aOptimizer.zero_grad();
            if (FreezeWeightsInArchStep) foreach (var w in _weights) w.requires_grad = false;
            SetArchitecture();
            Tensor validLoss = nn.functional.cross_entropy(_net.forward(_validX), _validY);
            validLoss.backward();
            if (FreezeWeightsInArchStep) foreach (var w in _weights) w.requires_grad = true;
            _aOptimizer.step();
        }
        long t1 = System.Diagnostics.Stopwatch.GetTimestamp();
        using (NewDisposeScope())
        {
            _wOptimizer.zero_grad();
            using (no_grad()) SetArchitecture();
            Tensor loss = nn.functional.cross_entropy(_net.forward(_trainX), _trainY);
            loss.backward();
            if (TensorClip) GradientClipping.ClipGradNorm(_weights, 5.0);
            else nn.utils.clip_grad_norm_(_weights, 5.0);
            _wOptimizer.step();
        }
        long t2 = System.Diagnostics.Stopwatch.GetTimestamp();
        ArchTime += System.Diagnostics.Stopwatch.GetElapsedTime(t0, t1);
        WeightTime += System.Diagnostics.Stopwatch.GetElapsedTime(t1, t2);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _wOptimizer.Dispose();
        _aOptimizer.Dispose();
        _net.Dispose();
        _space?.Dispose();
        _alphaNormal?.Dispose();
        _alphaReduce?.Dispose();
        _trainX.Dispose(); _trainY.Dispose(); _validX.Dispose(); _validY.Dispose();
    }
}
