using IstaNas.Architecture;
using IstaNas.IO;
using IstaNas.SparseCoding;
using IstaNas.Validation;
using static TorchSharp.torch;

namespace IstaNas.SearchSpace;

/// <summary>
/// The ISTA-NAS compressed search space (see <see cref="ICompressedSearchSpace"/>). A is sampled once from
/// the seed and never changes; b is a parameter (float32 unless another dtype is asked for); z is recovered in float64 by an <see cref="ISparseCoder"/>
/// that solves every node's LASSO problem in one batched computation.
/// </summary>
public sealed class CompressedSearchSpace : ICompressedSearchSpace, IArchitectureSource
{
    private readonly ISparseCoder _coder;
    private readonly NodeData[] _nodes; // index: (int)cell * Nodes + node
    private readonly Device _device;
    private readonly ScalarType _dtype;
    private SparseCodingProblem? _problem; // A of every node in float64, padded; built once
    private bool _disposed;

    /// <summary>Samples A and b for every node from <paramref name="seed"/> and recovers the first z.</summary>
    /// <param name="options">Shape of the space; validated.</param>
    /// <param name="coder">The sparse coder used for recovery (its lambda is the LASSO weight).</param>
    /// <param name="seed">Seed of A and of the initial b.</param>
    /// <param name="device">Where A, b and z live; CPU when null.</param>
    /// <param name="dtype">Floating type of A, b and alpha (the network's type): float32 (default) or float64. A is
    /// sampled in float32 either way, so a seed gives the same space in both.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid.</exception>
    /// <exception cref="ArgumentException"><paramref name="dtype"/> is not float32 or float64.</exception>
    public CompressedSearchSpace(SearchSpaceOptions options, ISparseCoder coder, long seed, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        if (dtype is not (ScalarType.Float32 or ScalarType.Float64))
            throw new ArgumentException($"The search space supports float32 and float64, not {dtype}.", nameof(dtype));
        _dtype = dtype;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(coder);
        Options = OptionsValidation.Validate(options.Clone(), nameof(SearchSpaceOptions));
        _coder = coder;
        _device = device ?? CPU;
        Nodes = Options.Nodes;
        LatentParameters = [];
        _nodes = new NodeData[2 * Nodes];

        var sampled = new List<(Tensor A, Tensor B)>();
        using (NewDisposeScope())
        using (var gen = new Generator(unchecked((ulong)seed)))
        {
            int m = Options.ProjectionDims;
            foreach (CellType cell in Cells)
            {
                for (int i = 0; i < Nodes; i++)
                {
                    int n = Options.CandidateCount(i);
                    Tensor a = Options.Matrix == MeasurementMatrixKind.Uniform
                        ? rand(m, n, generator: gen, dtype: float32)
                        : NormaliseColumns(randn(m, n, generator: gen, dtype: float32));
                    Tensor b = randn(m, generator: gen, dtype: float32) * Options.LatentInitScale;
                    sampled.Add((a.to(_dtype, _device).DetachFromDisposeScope(), b.to(_dtype, _device).DetachFromDisposeScope()));
                }
            }
        }
        for (int k = 0; k < sampled.Count; k++)
        {
            int n = Options.CandidateCount(k % Nodes);
            _nodes[k] = new NodeData(sampled[k].A, new TorchSharp.Modules.Parameter(sampled[k].B, requires_grad: true),
                                     zeros(n, dtype: float64, device: _device).DetachFromDisposeScope());
        }
        LatentParameters = _nodes.Select(n => n.B).ToArray();
        RecoveryReport first = Recover();
        if (first.Kept.Count > 0)
        {
            NodeRecovery n = first.Kept[0];
            double lambda = coder.Options.Lambda, atb = MaxAtB(n.Cell, n.Node);
            string why = lambda >= atb
                ? $"lambda = {lambda:G3} is at or above max|A^T b| = {atb:G3}, which makes z = 0"
                : $"lambda = {lambda:G3}, max|A^T b| = {atb:G3}, solver {coder.GetType().Name} {(n.Converged ? "converged" : "did not converge")}";
            Dispose();
            throw new ArgumentException(
                $"The first recovery gives {n.Cell} node {n.Node} (and {first.Kept.Count - 1} other nodes) a code with {n.NonZeros} non-zero entries, " +
                $"fewer than the sparsity s = {Options.Sparsity}: no architecture to search ({why}). Lower SparseCoder.Lambda or raise SearchSpace.LatentInitScale " +
                $"(now {Options.LatentInitScale:G3}).", nameof(options));
        }
    }

    /// <summary>||A^T b||_inf of one node: the smallest lambda that makes its code 0.</summary>
    private double MaxAtB(CellType cell, int node)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        NodeData d = Get(cell, node);
        return d.A.t().to(float64).matmul(d.B.detach().to(float64)).abs().max().item<double>();
    }

    private static readonly CellType[] Cells = [CellType.Normal, CellType.Reduce];

    /// <inheritdoc />
    public SearchSpaceOptions Options { get; }

    /// <inheritdoc />
    public int Nodes { get; }

    /// <inheritdoc />
    public IReadOnlyList<TorchSharp.Modules.Parameter> LatentParameters { get; }

    /// <inheritdoc />
    public int CandidateCount(int node)
    {
        CheckNode(node);
        return Options.CandidateCount(node);
    }

    /// <inheritdoc />
    public Tensor A(CellType cell, int node) => Get(cell, node).A;

    /// <inheritdoc />
    public TorchSharp.Modules.Parameter B(CellType cell, int node) => Get(cell, node).B;

    /// <inheritdoc />
    public Tensor Z(CellType cell, int node) => Get(cell, node).Z.clone();

    /// <inheritdoc />
    public IReadOnlyList<int> Support(CellType cell, int node) => Get(cell, node).Support;

    /// <inheritdoc />
    public bool IsFrozen(CellType cell, int node) => Get(cell, node).Frozen;

    /// <inheritdoc />
    public void SetFrozen(CellType cell, int node, bool frozen)
    {
        NodeData d = Get(cell, node);
        if (d.Frozen == frozen) return;
        d.Frozen = frozen;
        d.B.requires_grad = !frozen;
        if (frozen) d.B.grad = null;
        d.RefreshWeights();
    }

    /// <inheritdoc />
    public IReadOnlyList<NodeWeights> ArchitectureWeights(CellType cell)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var result = new NodeWeights[Nodes];
        for (int i = 0; i < Nodes; i++)
        {
            NodeData d = _nodes[Index(cell, i)];
            // alpha_S = A_S^T b + (z_S - A_S^T A_S z_S): linear in b, so d alpha / d b = A_S^T.
            Tensor alpha = d.Frozen ? d.FrozenAlpha!.clone() : d.AsT!.matmul(d.B).add_(d.Offset!);
            result[i] = new NodeWeights(d.Support.ToArray(), alpha);
        }
        return result;
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double[]> ZMagnitudes()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var result = new Dictionary<string, double[]>();
        for (int k = 0; k < _nodes.Length; k++)
            result[NodeKeys.Of(Cells[k / Nodes], k % Nodes)] = [.. _nodes[k].ZHost().Select(Math.Abs)];
        return result;
    }

    /// <inheritdoc />
    public RecoveryReport Recover(Func<CellType, int, bool>? include = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _problem ??= BuildProblem();
        var report = new List<NodeRecovery>();
        using (NewDisposeScope())
        using (no_grad())
        {
            using SparseCodingProblem problem = _problem.WithB(stack(_nodes.Select(d => d.B.detach().to(float64)).ToArray()));
            Tensor warm = zeros(_nodes.Length, _problem.MaxColumns, dtype: float64, device: _device);
            for (int k = 0; k < _nodes.Length; k++)
                warm[k, TensorIndex.Slice(0, _nodes[k].Z.shape[0])] = _nodes[k].Z;
            using SparseCodeResult result = _coder.Solve(problem, warm);
            for (int k = 0; k < _nodes.Length; k++)
            {
                CellType cell = Cells[k / Nodes];
                int node = k % Nodes;
                NodeData d = _nodes[k];
                if (d.Frozen || (include is not null && !include(cell, node))) continue;
                Tensor z = result.Z[k, TensorIndex.Slice(0, d.Z.shape[0])];
                double change = (z - d.Z).norm().item<double>();
                int nonZeros = (int)z.count_nonzero().item<long>();
                bool keep = nonZeros < Options.Sparsity;
                if (!keep)
                {
                    d.Z.copy_(z);
                    d.SetSupport(TopS(d.Z, Options.Sparsity));
                }
                report.Add(new NodeRecovery(cell, node, change, result.Iterations[k], result.Converged[k], result.Objective[k], d.Support, nonZeros, keep));
            }
        }
        return new RecoveryReport(report);
    }

    /// <inheritdoc />
    public GenotypeEdge Decode(int node, int candidate)
    {
        int n = CandidateCount(node);
        if (candidate < 0 || candidate >= n)
            throw new ArgumentOutOfRangeException(nameof(candidate), candidate, $"Node {node} has candidates 0..{n - 1}.");
        int k = Options.Operations.Count;
        return new GenotypeEdge(Options.Operations[CandidateIndex.Operation(candidate, k)], CandidateIndex.Predecessor(candidate, k));
    }

    /// <inheritdoc />
    public Genotype DeriveGenotype()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        IEnumerable<GenotypeEdge> Cell(CellType cell) => Enumerable.Range(0, Nodes).SelectMany(i =>
        {
            double[] z = Get(cell, i).ZHost();
            return TopSByMagnitude(z, Options.Sparsity).Order().Select(c => Decode(i, c));
        });
        return new Genotype(Cell(CellType.Normal).ToArray(), Cell(CellType.Reduce).ToArray(), edgesPerNode: Options.Sparsity);
    }

    /// <inheritdoc />
    public SearchSpaceState GetState()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new SearchSpaceState
        {
            Nodes = Nodes,
            Operations = [.. Options.Operations],
            ProjectionDims = Options.ProjectionDims,
            Sparsity = Options.Sparsity,
            Matrix = Options.Matrix,
            NodeStates = _nodes.Select((d, k) => new NodeState(
                Cells[k / Nodes], k % Nodes,
                d.A.to(float32).cpu().data<float>().ToArray(),
                d.B.detach().to(float32).cpu().data<float>().ToArray(),
                d.ZHost(),
                [.. d.Support],
                d.Frozen)).ToArray(),
        };
    }

    /// <inheritdoc />
    public void LoadState(SearchSpaceState state)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(state);
        string? mismatch = state.MismatchWith(Options);
        if (mismatch is not null)
            throw new ArgumentException($"The saved search space has a different shape ({mismatch}).", nameof(state));
        int m = Options.ProjectionDims;
        for (int k = 0; k < _nodes.Length; k++)
        {
            NodeState s = state.NodeStates[k];
            int node = k % Nodes, n = Options.CandidateCount(node);
            if (s.Cell != Cells[k / Nodes] || s.Node != node || s.A.Length != m * n || s.B.Length != m || s.Z.Length != n
                || s.Support.Length != Options.Sparsity || s.Support.Any(c => c < 0 || c >= n))
                throw new ArgumentException($"Saved state of {Cells[k / Nodes]} node {node} does not fit the space (m = {m}, n = {n}).", nameof(state));
            if (s.A.Any(v => !float.IsFinite(v)) || s.B.Any(v => !float.IsFinite(v)) || s.Z.Any(v => !double.IsFinite(v)))
                throw new ArgumentException($"Saved state of {Cells[k / Nodes]} node {node} holds a non-finite value.", nameof(state));
        }
        using (no_grad())
        {
            for (int k = 0; k < _nodes.Length; k++)
            {
                NodeState s = state.NodeStates[k];
                NodeData d = _nodes[k];
                using (Tensor a = tensor(s.A, [m, s.A.Length / m], dtype: float32)) d.A.copy_(a);
                using (Tensor b = tensor(s.B, dtype: float32)) d.B.copy_(b);
                // (a float64 space round-trips b through float32 in the saved state)
                using (Tensor z = tensor(s.Z, dtype: float64)) d.Z.copy_(z);
                d.Frozen = s.Frozen;
                d.B.requires_grad = !s.Frozen;
                d.SetSupport(s.Support);
            }
        }
        _problem?.Dispose();
        _problem = null;
    }

    /// <summary>Saves <see cref="GetState"/> as JSON, atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, GetState().ToJson());

    /// <summary>Restores a state saved by <see cref="Save"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">The file is not a search-space state (the message names it).</exception>
    public void Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Search-space file '{path}' does not exist.", path);
        SearchSpaceState state;
        try
        {
            state = SearchSpaceState.FromJson(File.ReadAllText(path));
        }
        catch (FormatException ex)
        {
            throw new FormatException($"'{path}': {ex.Message}", ex);
        }
        LoadState(state);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _problem?.Dispose();
        foreach (NodeData d in _nodes) d?.Dispose();
    }

    private SparseCodingProblem BuildProblem()
    {
        using (no_grad())
        using (NewDisposeScope())
            return SparseCodingProblem.Create(
                _nodes.Select(d => d.A.to(float64)).ToArray(),
                _nodes.Select(d => d.B.detach().to(float64)).ToArray());
    }

    private int Index(CellType cell, int node) => ((int)cell * Nodes) + node;

    private NodeData Get(CellType cell, int node)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (cell is not CellType.Normal and not CellType.Reduce)
            throw new ArgumentOutOfRangeException(nameof(cell), cell, "Unknown cell type.");
        CheckNode(node);
        return _nodes[Index(cell, node)];
    }

    private void CheckNode(int node)
    {
        if (node < 0 || node >= Nodes)
            throw new ArgumentOutOfRangeException(nameof(node), node, $"The space has nodes 0..{Nodes - 1}.");
    }

    private static Tensor NormaliseColumns(Tensor a) => a / a.norm(0, keepdim: true).clamp_min(1e-12);

    private static int[] TopS(Tensor z, int s)
    {
        double[] host = z.cpu().data<double>().ToArray();
        return [.. TopSByMagnitude(host, s).Order()];
    }

    /// <summary>Indices of the s largest |z|, strongest first; ties go to the lower index.</summary>
    internal static int[] TopSByMagnitude(double[] z, int s) =>
        Enumerable.Range(0, z.Length).OrderByDescending(j => Math.Abs(z[j])).ThenBy(j => j).Take(s).ToArray();

    /// <summary>Tensors of one node; the cached ones depend on the support and z.</summary>
    private sealed class NodeData(Tensor a, TorchSharp.Modules.Parameter b, Tensor z) : IDisposable
    {
        public Tensor A { get; } = a;

        public TorchSharp.Modules.Parameter B { get; } = b;

        public Tensor Z { get; } = z;

        public int[] Support { get; private set; } = [];

        public bool Frozen { get; set; }

        /// <summary>A_S^T (s x m).</summary>
        public Tensor? AsT { get; private set; }

        /// <summary>z_S - A_S^T A_S z_S (length s).</summary>
        public Tensor? Offset { get; private set; }

        /// <summary>alpha of a frozen node, a constant.</summary>
        public Tensor? FrozenAlpha { get; private set; }

        public double[] ZHost() => Z.cpu().data<double>().ToArray();

        public void SetSupport(int[] support)
        {
            Support = support;
            RefreshWeights();
        }

        public void RefreshWeights()
        {
            AsT?.Dispose();
            Offset?.Dispose();
            FrozenAlpha?.Dispose();
            FrozenAlpha = null;
            using (NewDisposeScope())
            using (no_grad())
            {
                using Tensor idx = tensor(Support.Select(i => (long)i).ToArray(), dtype: int64, device: A.device);
                Tensor aS = A.index_select(1, idx);                       // m x s
                Tensor zS = Z.index_select(0, idx).to(A.dtype);          // s
                AsT = aS.t().contiguous().DetachFromDisposeScope();
                Offset = (zS - aS.t().matmul(aS.matmul(zS))).DetachFromDisposeScope();
                if (Frozen) FrozenAlpha = AsT.matmul(B.detach()).add_(Offset).DetachFromDisposeScope();
            }
        }

        public void Dispose()
        {
            A.Dispose();
            B.Dispose();
            Z.Dispose();
            AsT?.Dispose();
            Offset?.Dispose();
            FrozenAlpha?.Dispose();
        }
    }
}
