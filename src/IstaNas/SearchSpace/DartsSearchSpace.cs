using IstaNas.Architecture;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace IstaNas.SearchSpace;

/// <summary>
/// The DARTS search space (Liu et al., 2019), the dense baseline's counterpart of <see cref="CompressedSearchSpace"/>:
/// the operations are <c>none</c> followed by the search-space operations (K' = K + 1); every candidate of every edge
/// runs, each edge mixing its operations with the softmax of its row of <c>alpha_normal</c> or <c>alpha_reduce</c>
/// (<c>[edges, K']</c>, initialised as <c>1e-3 * N(0, 1)</c> from torch's generator, as DARTS does). The genotype keeps,
/// per node, the two incoming edges whose strongest non-<c>none</c> weight is largest, each with that operation.
/// </summary>
internal sealed class DartsSearchSpace : IArchitectureSource, IDisposable
{
    private readonly Parameter _alphaNormal;
    private readonly Parameter _alphaReduce;

    /// <summary>Samples alpha with torch's current generator (seed it first for a reproducible run).</summary>
    /// <param name="operations">The search-space operations (without <c>none</c>).</param>
    /// <param name="nodes">Intermediate nodes per cell.</param>
    /// <param name="device">Where alpha lives; the CPU when null.</param>
    /// <exception cref="ArgumentException">No operation besides <c>none</c>, or fewer than one node.</exception>
    public DartsSearchSpace(IReadOnlyList<string> operations, int nodes = 4, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        Operations = DenseOperations(operations);
        if (Operations.Count < 2)
            throw new ArgumentException("DARTS needs at least one operation besides none.", nameof(operations));
        Nodes = nodes;
        _alphaNormal = new Parameter(randn(EdgeCount(nodes), Operations.Count, dtype: float32).mul_(1e-3).to(device ?? CPU));
        _alphaReduce = new Parameter(randn(EdgeCount(nodes), Operations.Count, dtype: float32).mul_(1e-3).to(device ?? CPU));
    }

    /// <summary>The K' operations of the columns of alpha: <c>none</c>, then the search-space operations.</summary>
    public IReadOnlyList<string> Operations { get; }

    /// <summary>Intermediate nodes per cell.</summary>
    public int Nodes { get; }

    /// <summary>The architecture parameters the architecture optimiser trains: alpha of the normal, then of the reduction cell.</summary>
    public IReadOnlyList<Parameter> Parameters => [_alphaNormal, _alphaReduce];

    /// <summary>alpha of a cell type, <c>[edges, K']</c> (logits; softmax per edge).</summary>
    /// <param name="cell">Normal or reduction cell.</param>
    /// <returns>The parameter (not a copy).</returns>
    public Parameter Alpha(CellType cell) => cell == CellType.Normal ? _alphaNormal : _alphaReduce;

    /// <summary>The DARTS operation list for given search-space operations: <c>none</c> first, then <paramref name="operations"/>.</summary>
    /// <param name="operations">The candidate operations of the search space (without <c>none</c>).</param>
    /// <returns>The K' = K + 1 operation names.</returns>
    public static IReadOnlyList<string> DenseOperations(IReadOnlyList<string> operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        return [Architecture.Operations.None, .. operations.Where(o => o != Architecture.Operations.None)];
    }

    /// <summary>Number of edges of a cell with <paramref name="nodes"/> intermediate nodes: <c>sum_i (i + 2)</c> (14 for 4 nodes).</summary>
    /// <param name="nodes">Intermediate nodes per cell.</param>
    /// <returns>The edge count.</returns>
    public static int EdgeCount(int nodes) => nodes * (nodes + 3) / 2;

    /// <inheritdoc />
    public IReadOnlyList<NodeWeights> ArchitectureWeights(CellType cell) => DenseArchitecture(Alpha(cell), Nodes);

    /// <summary>The genotype of the current alpha (see the class summary).</summary>
    /// <returns>The genotype (all intermediate nodes concatenated).</returns>
    public Genotype DeriveGenotype() => DeriveGenotype(_alphaNormal, _alphaReduce, Operations, Nodes);

    /// <summary>A copy of alpha of both cell types (row-major floats), for checkpoints.</summary>
    /// <returns>Normal, then reduction cell.</returns>
    public (float[] Normal, float[] Reduce) GetState()
    {
        using var scope = NewDisposeScope();
        return (_alphaNormal.detach().cpu().data<float>().ToArray(), _alphaReduce.detach().cpu().data<float>().ToArray());
    }

    /// <summary>Restores alpha saved by <see cref="GetState"/>.</summary>
    /// <param name="normal">alpha of the normal cell, row-major.</param>
    /// <param name="reduce">alpha of the reduction cell, row-major.</param>
    /// <exception cref="ArgumentException">The arrays do not have <c>edges * K'</c> finite entries.</exception>
    public void LoadState(float[] normal, float[] reduce)
    {
        ArgumentNullException.ThrowIfNull(normal);
        ArgumentNullException.ThrowIfNull(reduce);
        int size = EdgeCount(Nodes) * Operations.Count;
        foreach (float[] values in new[] { normal, reduce })
            if (values.Length != size || values.Any(v => !float.IsFinite(v)))
                throw new ArgumentException($"A saved DARTS alpha must hold {size} finite values ({EdgeCount(Nodes)} edges x {Operations.Count} operations); got {values.Length}.");
        using var noGrad = no_grad();
        using (Tensor n = tensor(normal, [EdgeCount(Nodes), Operations.Count])) _alphaNormal.copy_(n);
        using (Tensor r = tensor(reduce, [EdgeCount(Nodes), Operations.Count])) _alphaReduce.copy_(r);
    }

    /// <summary>
    /// The dense architecture of one cell type: node i lists all its <c>(i + 2) * K'</c> candidates (candidate =
    /// predecessor * K' + operation) with the softmax of each incoming edge's row of <paramref name="alpha"/> as weights.
    /// </summary>
    /// <param name="alpha">Architecture parameters <c>[edges, K']</c>, edges ordered node by node, predecessor by predecessor.</param>
    /// <param name="nodes">Intermediate nodes per cell.</param>
    /// <returns>One <see cref="NodeWeights"/> per node; the weight tensors carry autograd history when <paramref name="alpha"/> does.</returns>
    /// <exception cref="ArgumentException"><paramref name="alpha"/> does not have <see cref="EdgeCount"/> rows.</exception>
    public static NodeWeights[] DenseArchitecture(Tensor alpha, int nodes)
    {
        ArgumentNullException.ThrowIfNull(alpha);
        if (alpha.dim() != 2 || alpha.shape[0] != EdgeCount(nodes))
            throw new ArgumentException($"alpha must be [{EdgeCount(nodes)}, K'], got [{string.Join(", ", alpha.shape)}].", nameof(alpha));
        int k = (int)alpha.shape[1];
        Tensor weights = nn.functional.softmax(alpha, -1);
        var result = new NodeWeights[nodes];
        int start = 0;
        for (int i = 0; i < nodes; i++)
        {
            int edges = i + 2;
            result[i] = new NodeWeights(Enumerable.Range(0, CandidateIndex.Count(i, k)).ToArray(), weights.narrow(0, start, edges).reshape(-1));
            start += edges;
        }
        return result;
    }

    /// <summary>
    /// DARTS genotype derivation: for every node the two incoming edges with the largest non-<c>none</c> softmax weight
    /// (strongest first), each with its argmax non-<c>none</c> operation.
    /// </summary>
    /// <param name="alphaNormal">Architecture parameters of the normal cell, <c>[edges, K']</c> (logits; softmax is applied per edge).</param>
    /// <param name="alphaReduce">Architecture parameters of the reduction cell, same shape.</param>
    /// <param name="operations">The K' operation names of the columns (may include <c>none</c>, which is never chosen).</param>
    /// <param name="nodes">Intermediate nodes per cell.</param>
    /// <returns>The genotype (all intermediate nodes concatenated).</returns>
    /// <exception cref="ArgumentException">Shapes do not match, or the operations are all <c>none</c>.</exception>
    public static Genotype DeriveGenotype(Tensor alphaNormal, Tensor alphaReduce, IReadOnlyList<string> operations, int nodes = 4)
    {
        ArgumentNullException.ThrowIfNull(alphaNormal);
        ArgumentNullException.ThrowIfNull(alphaReduce);
        ArgumentNullException.ThrowIfNull(operations);
        return new Genotype(Parse(alphaNormal, operations, nodes), Parse(alphaReduce, operations, nodes));
    }

    private static List<GenotypeEdge> Parse(Tensor alpha, IReadOnlyList<string> operations, int nodes)
    {
        int edgesTotal = EdgeCount(nodes);
        if (alpha.dim() != 2 || alpha.shape[0] != edgesTotal || alpha.shape[1] != operations.Count)
            throw new ArgumentException(
                $"alpha must be [{edgesTotal}, {operations.Count}], got [{string.Join(", ", alpha.shape)}].", nameof(alpha));
        if (operations.All(o => o == Architecture.Operations.None))
            throw new ArgumentException("At least one operation other than none is needed.", nameof(operations));
        double[] w;
        using (no_grad())
        using (NewDisposeScope())
            w = nn.functional.softmax(alpha.detach().to(float64), -1).cpu().data<double>().ToArray();
        int k = operations.Count;
        var result = new List<GenotypeEdge>(2 * nodes);
        int start = 0;
        for (int i = 0; i < nodes; i++)
        {
            var best = new List<(int Input, int Op, double Weight)>();
            for (int j = 0; j < i + 2; j++)
            {
                int op = -1;
                double strongest = double.NegativeInfinity;
                for (int o = 0; o < k; o++)
                {
                    if (operations[o] == Architecture.Operations.None) continue;
                    double v = w[((start + j) * k) + o];
                    if (v > strongest)
                    {
                        strongest = v;
                        op = o;
                    }
                }
                best.Add((j, op, strongest));
            }
            // Stable: ties keep the lower predecessor first.
            foreach (var (input, op, _) in best.OrderByDescending(e => e.Weight).Take(2))
                result.Add(new GenotypeEdge(operations[op], input));
            start += i + 2;
        }
        return result;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _alphaNormal.Dispose();
        _alphaReduce.Dispose();
    }
}
