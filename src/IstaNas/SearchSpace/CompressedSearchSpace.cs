using IstaNas.Architecture;
using IstaNas.SparseCoding;
using IstaNas.Validation;
using static TorchSharp.torch;

namespace IstaNas.SearchSpace;

/// <summary>
/// The ISTA-NAS compressed search space (see <see cref="ICompressedSearchSpace"/>), one compressed space per decision: A
/// (m x K) is sampled once from the seed and never changes; b is a parameter (float32 unless another dtype is asked for);
/// z is recovered in float64 by an <see cref="ISparseCoder"/> that solves the LASSO problems of all decisions with the
/// same m in one batched computation. The DARTS cell space is the space of its 2 x Nodes intermediate nodes, keyed
/// "normal/0" .. "reduce/N-1" (<see cref="NodeKeys"/>), with K = (node + 2) x operations, s = Sparsity, m = ProjectionDims.
/// The method's steps each have their own file: A (<see cref="MeasurementMatrix"/>), the support and alpha on it
/// (<see cref="SupportAlpha"/>), recovery (<see cref="ISparseCoder"/>) and persistence (<see cref="SearchSpacePersistence"/>);
/// the DARTS cell space's view (nodes addressed by cell type, the genotype) is in CompressedSearchSpace.Cells.cs.
/// </summary>
public sealed partial class CompressedSearchSpace : ICompressedSearchSpace, IArchitectureSource
{
    private static readonly CellType[] Cells = [CellType.Normal, CellType.Reduce];

    private readonly ISparseCoder _coder;
    private readonly Decision[] _decisions;
    private readonly DecisionTensors[] _nodes; // index: decision; for the cell space (int)cell * Nodes + node
    private readonly int[][] _groups;   // decisions with the same m, in decision order
    private readonly bool _cells;
    private readonly Device _device;
    private readonly ScalarType _dtype;
    private SparseCodingProblem?[] _problems; // A of every group in float64, padded; built once
    private bool _disposed;

    /// <summary>The DARTS cell space: samples A and b for every node from <paramref name="seed"/> and recovers the first z.</summary>
    /// <param name="options">Shape of the space; validated.</param>
    /// <param name="coder">The sparse coder used for recovery (its lambda is the LASSO weight).</param>
    /// <param name="seed">Seed of A and of the initial b.</param>
    /// <param name="device">Where A, b and z live; CPU when null.</param>
    /// <param name="dtype">Floating type of A, b and alpha (the network's type): float32 (default) or float64. A is
    /// sampled in float32 either way, so a seed gives the same space in both.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid.</exception>
    /// <exception cref="ArgumentException"><paramref name="dtype"/> is not float32 or float64.</exception>
    public CompressedSearchSpace(SearchSpaceOptions options, ISparseCoder coder, long seed, Device? device = null, ScalarType dtype = ScalarType.Float32)
        : this(options, CellDecisions(options), cells: true, coder, seed, device, dtype)
    {
    }

    /// <summary>
    /// The space of any set of decisions (the choices of a model, see <see cref="Decision"/>): samples A and b for every
    /// decision, in order, from <paramref name="seed"/> and recovers the first z.
    /// </summary>
    /// <param name="decisions">The decisions, in the order their A and b are sampled; keys unique.</param>
    /// <param name="options">The measurement matrix kind and the initial scale of b (the other options do not apply).</param>
    /// <param name="coder">The sparse coder used for recovery.</param>
    /// <param name="seed">Seed of A and of the initial b.</param>
    /// <param name="device">Where A, b and z live; CPU when null.</param>
    /// <param name="dtype">float32 (default) or float64.</param>
    /// <exception cref="ArgumentException">No decision, a repeated key, or a decision with m &gt;= K, s &gt;= K or m &lt; s.</exception>
    /// <returns>The space.</returns>
    public static CompressedSearchSpace ForDecisions(IReadOnlyList<Decision> decisions, SearchSpaceOptions options, ISparseCoder coder, long seed,
        Device? device = null, ScalarType dtype = ScalarType.Float32) =>
        new(options, CheckDecisions(decisions), cells: false, coder, seed, device, dtype);

    private CompressedSearchSpace(SearchSpaceOptions options, Decision[] decisions, bool cells, ISparseCoder coder, long seed, Device? device, ScalarType dtype)
    {
        if (dtype is not (ScalarType.Float32 or ScalarType.Float64))
            throw new ArgumentException($"The search space supports float32 and float64, not {dtype}.", nameof(dtype));
        _dtype = dtype;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(coder);
        Options = OptionsValidation.Validate(OptionsCopy.Of(options), nameof(SearchSpaceOptions));
        _coder = coder;
        _device = device ?? CPU;
        _cells = cells;
        _decisions = cells ? CellDecisions(Options) : decisions;
        Nodes = cells ? Options.Nodes : 0;
        LatentParameters = [];
        _nodes = new DecisionTensors[_decisions.Length];
        _groups = [.. _decisions.Select((d, k) => (d.ProjectionDims, k)).GroupBy(p => p.ProjectionDims).Select(g => g.Select(p => p.k).ToArray())];
        _problems = new SparseCodingProblem?[_groups.Length];

        var sampled = new List<(Tensor A, Tensor B)>();
        using (NewDisposeScope())
        using (var gen = new Generator(unchecked((ulong)seed)))
        {
            foreach (Decision d in _decisions)
            {
                int m = d.ProjectionDims, n = d.Count;
                Tensor a = MeasurementMatrix.Sample(Options.Matrix, m, n, gen);
                Tensor b = randn(m, generator: gen, dtype: float32) * Options.LatentInitScale;
                sampled.Add((a.to(_dtype, _device).DetachFromDisposeScope(), b.to(_dtype, _device).DetachFromDisposeScope()));
            }
        }
        for (int k = 0; k < sampled.Count; k++)
        {
            _nodes[k] = new DecisionTensors(sampled[k].A, new TorchSharp.Modules.Parameter(sampled[k].B, requires_grad: true),
                                            zeros(_decisions[k].Count, dtype: float64, device: _device).DetachFromDisposeScope());
        }
        LatentParameters = _nodes.Select(n => n.B).ToArray();
        RecoveryReport first = Recover();
        if (first.Kept.Count > 0)
        {
            NodeRecovery n = first.Kept[0];
            int k = IndexOf(n.Key);
            double lambda = coder.Options.Lambda, atb = MaxAtB(k);
            string why = lambda >= atb
                ? $"lambda = {lambda:G3} is at or above max|A^T b| = {atb:G3}, which makes z = 0"
                : $"lambda = {lambda:G3}, max|A^T b| = {atb:G3}, solver {coder.GetType().Name} {(n.Converged ? "converged" : "did not converge")}";
            string what = _cells ? $"{n.Cell} node {n.Node}" : $"choice '{n.Key}'";
            Dispose();
            throw new ArgumentException(
                $"The first recovery gives {what} (and {first.Kept.Count - 1} others) a code with {n.NonZeros} non-zero entries, " +
                $"fewer than the sparsity s = {_decisions[k].Picks}: no architecture to search ({why}). Lower SparseCoder.Lambda or raise SearchSpace.LatentInitScale " +
                $"(now {Options.LatentInitScale:G3}).", nameof(options));
        }
    }

    private static Decision[] CheckDecisions(IReadOnlyList<Decision> decisions)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        if (decisions.Count == 0) throw new ArgumentException("A compressed search space needs at least one decision.", nameof(decisions));
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (Decision d in decisions)
        {
            ArgumentNullException.ThrowIfNull(d, nameof(decisions));
            string? problem = d.Problem();
            if (problem is not null) throw new ArgumentException(problem, nameof(decisions));
            if (!keys.Add(d.Key)) throw new ArgumentException($"Two decisions are named '{d.Key}'; names must be unique.", nameof(decisions));
        }
        return [.. decisions];
    }

    /// <summary>||A^T b||_inf of one decision: the smallest lambda that makes its code 0.</summary>
    private double MaxAtB(int k)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        DecisionTensors d = _nodes[k];
        return d.A.t().to(float64).matmul(d.B.detach().to(float64)).abs().max().item<double>();
    }

    /// <summary>The shape of the space (for a space of decisions only the matrix kind and the initial scale of b apply).</summary>
    public SearchSpaceOptions Options { get; }

    /// <inheritdoc />
    public IReadOnlyList<Decision> Decisions => _decisions;

    /// <summary>Whether this is the DARTS cell space (the cell-keyed members work only there).</summary>
    public bool IsCellSpace => _cells;

    /// <summary>Intermediate nodes per cell (0 for a space of decisions).</summary>
    public int Nodes { get; }

    /// <inheritdoc />
    public IReadOnlyList<TorchSharp.Modules.Parameter> LatentParameters { get; }

    /// <inheritdoc />
    public Tensor A(int decision) => Get(decision).A;

    /// <inheritdoc />
    public TorchSharp.Modules.Parameter B(int decision) => Get(decision).B;

    /// <inheritdoc />
    public Tensor Z(int decision) => Get(decision).Z.clone();

    /// <inheritdoc />
    public IReadOnlyList<int> Support(int decision) => Get(decision).Support;

    /// <inheritdoc />
    public bool IsFrozen(int decision) => Get(decision).Frozen;

    /// <inheritdoc />
    public void SetFrozen(int decision, bool frozen)
    {
        DecisionTensors d = Get(decision);
        if (d.Frozen == frozen) return;
        d.Frozen = frozen;
        d.B.requires_grad = !frozen;
        if (frozen) d.B.grad = null;
        d.RefreshWeights();
    }

    /// <inheritdoc />
    public IReadOnlyList<NodeWeights> ArchitectureWeights()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return [.. _nodes.Select(Weights)];
    }

    // alpha_S = A_S^T b + (z_S - A_S^T A_S z_S) (SupportAlpha): linear in b, so d alpha / d b = A_S^T.
    private static NodeWeights Weights(DecisionTensors d) => new(d.Support.ToArray(), d.Alpha());

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double[]> ZMagnitudes()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var result = new Dictionary<string, double[]>();
        for (int k = 0; k < _nodes.Length; k++)
            result[_decisions[k].Key] = [.. _nodes[k].ZHost().Select(Math.Abs)];
        return result;
    }

    /// <inheritdoc />
    public RecoveryReport Recover(Func<int, bool>? include = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var report = new List<NodeRecovery>();
        for (int g = 0; g < _groups.Length; g++)
        {
            int[] group = _groups[g];
            _problems[g] ??= BuildProblem(group);
            SparseCodingProblem shared = _problems[g]!;
            using (NewDisposeScope())
            using (no_grad())
            {
                using SparseCodingProblem problem = shared.WithB(stack(group.Select(k => _nodes[k].B.detach().to(float64)).ToArray()));
                Tensor warm = zeros(group.Length, shared.MaxColumns, dtype: float64, device: _device);
                for (int r = 0; r < group.Length; r++)
                    warm[r, TensorIndex.Slice(0, _nodes[group[r]].Z.shape[0])] = _nodes[group[r]].Z;
                using SparseCodeResult result = _coder.Solve(problem, warm);
                for (int r = 0; r < group.Length; r++)
                {
                    int k = group[r];
                    DecisionTensors d = _nodes[k];
                    if (d.Frozen || (include is not null && !include(k))) continue;
                    Tensor z = result.Z[r, TensorIndex.Slice(0, d.Z.shape[0])];
                    double change = (z - d.Z).norm().item<double>();
                    int nonZeros = (int)z.count_nonzero().item<long>();
                    int s = _decisions[k].Picks;
                    bool keep = nonZeros < s;
                    if (!keep)
                    {
                        d.Z.copy_(z);
                        d.SetSupport(SupportAlpha.Support(d.ZHost(), s));
                    }
                    (CellType cell, int node) = Position(k);
                    report.Add(new NodeRecovery(cell, node, change, result.Iterations[r], result.Converged[r], result.Objective[r], d.Support, nonZeros, keep)
                    {
                        Key = _decisions[k].Key,
                    });
                }
            }
        }
        if (_groups.Length > 1) report.Sort((x, y) => IndexOf(x.Key).CompareTo(IndexOf(y.Key)));
        return new RecoveryReport(report);
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, int[]> Picks()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _decisions.Select((d, k) => (d.Key, Picks: SupportAlpha.Support(_nodes[k].ZHost(), d.Picks)))
            .ToDictionary(p => p.Key, p => p.Picks, StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public SearchSpaceState GetState()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return SearchSpacePersistence.Capture(this);
    }

    /// <inheritdoc />
    public void LoadState(SearchSpaceState state)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        SearchSpacePersistence.Restore(this, state);
        foreach (SparseCodingProblem? p in _problems) p?.Dispose(); // A may have changed
        _problems = new SparseCodingProblem?[_groups.Length];
    }

    /// <summary>Saves <see cref="GetState"/> as JSON, atomically.</summary>
    public void Save(string path) => SearchSpacePersistence.Save(this, path);

    /// <summary>Restores a state saved by <see cref="Save"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">The file is not a search-space state (the message names it).</exception>
    public void Load(string path) => LoadState(SearchSpacePersistence.Read(path));

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (SparseCodingProblem? p in _problems) p?.Dispose();
        foreach (DecisionTensors d in _nodes) d?.Dispose();
    }

    private SparseCodingProblem BuildProblem(int[] group)
    {
        using (no_grad())
        using (NewDisposeScope())
            return SparseCodingProblem.Create(
                group.Select(k => _nodes[k].A.to(float64)).ToArray(),
                group.Select(k => _nodes[k].B.detach().to(float64)).ToArray());
    }

    /// <summary>The tensors of every decision, in decision order (for <see cref="SearchSpacePersistence"/>).</summary>
    internal IReadOnlyList<DecisionTensors> Tensors => _nodes;

    private int IndexOf(string key)
    {
        for (int k = 0; k < _decisions.Length; k++)
            if (_decisions[k].Key == key) return k;
        throw new ArgumentException($"The space has no decision '{key}'.", nameof(key));
    }

    private DecisionTensors Get(int decision)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (decision < 0 || decision >= _nodes.Length)
            throw new ArgumentOutOfRangeException(nameof(decision), decision, $"The space has decisions 0..{_nodes.Length - 1}.");
        return _nodes[decision];
    }
}
