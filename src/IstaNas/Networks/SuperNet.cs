using IstaNas.Architecture;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Networks;

/// <summary>
/// The search super-net (DARTS <c>model_search.Network</c> without its own architecture parameters): stem 3 x 3
/// convolution and BN with <c>StemMultiplier * C</c> channels, L <see cref="SuperNetCell"/>s with reductions at L/3 and
/// 2L/3 doubling the channels, optional auxiliary head after cell 2L/3, global average pooling and a linear classifier.
/// Each forward pass uses the <see cref="NodeWeights"/> last given to <see cref="SetArchitecture(CellType, IReadOnlyList{NodeWeights})"/>.
/// </summary>
public sealed class SuperNet : CellNetwork, ISuperNet
{
    private readonly Dictionary<CellType, NodeWeights[]> _architectures = [];
    private NodeWeights[] _normal = [], _reduce = [];

    /// <summary>Builds the super-net.</summary>
    /// <param name="options">The options; validated here.</param>
    /// <exception cref="ArgumentException">An option is invalid (the message names it).</exception>
    public SuperNet(SuperNetOptions options)
        : base(nameof(SuperNet), Validated(options), NetworkLayout.Cifar,
            slot => new SuperNetCell(options, slot.PrevPrevChannels, slot.PrevChannels, slot.Channels, slot.Reduction, slot.ReductionPrevious),
            cell => ((SuperNetCell)cell).OutputChannels)
    {
        Options = options;
    }

    /// <summary>The options the super-net was built with.</summary>
    public SuperNetOptions Options { get; }

    /// <inheritdoc />
    public nn.Module<Tensor, Tensor> Module => this;

    /// <inheritdoc />
    /// <remarks>"normal/0" .. "reduce/N-1", K = (node + 2) x operations, s = 2 (the DARTS genotype's edges per node; the
    /// search space's sparsity decides what a search keeps).</remarks>
    public IReadOnlyList<Decision> Decisions =>
        [.. new[] { CellType.Normal, CellType.Reduce }.SelectMany(cell => Enumerable.Range(0, Options.Nodes).Select(i => new Decision(NodeKeys.Of(cell, i), Options.CandidateCount(i), 2)))];

    /// <inheritdoc />
    /// <remarks>The first <see cref="SuperNetOptions.Nodes"/> entries are the normal cell's nodes, the rest the reduction cell's.</remarks>
    public void SetWeights(IReadOnlyList<NodeWeights> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count != 2 * Options.Nodes)
            throw new ArgumentException($"The cell super-net has {2 * Options.Nodes} decisions (normal and reduction cell nodes), got {weights.Count} weights.", nameof(weights));
        SetArchitecture(CellType.Normal, [.. weights.Take(Options.Nodes)]);
        SetArchitecture(CellType.Reduce, [.. weights.Skip(Options.Nodes)]);
    }

    /// <summary>The cells, in order.</summary>
    internal IReadOnlyList<SuperNetCell> Cells => [.. CellModules.Cast<SuperNetCell>()];

    /// <summary>
    /// Sets the candidates and weights used by every cell of type <paramref name="cell"/> from now on. The network keeps
    /// references to the weight tensors (it neither copies nor disposes them), so set the architecture again after
    /// recomputing alpha at each step.
    /// </summary>
    /// <param name="cell">Normal or reduction cells.</param>
    /// <param name="nodes">One entry per intermediate node; node i's candidates are in <c>[0, (i + 2) * K)</c>.</param>
    /// <exception cref="ArgumentException">Wrong node count, candidate out of range or repeated, or weights of the wrong shape.</exception>
    public void SetArchitecture(CellType cell, IReadOnlyList<NodeWeights> nodes)
    {
        if (cell is not (CellType.Normal or CellType.Reduce))
        {
            throw new ArgumentException($"Unknown cell type {cell}.", nameof(cell));
        }

        ArgumentNullException.ThrowIfNull(nodes);
        if (nodes.Count != Options.Nodes)
        {
            throw new ArgumentException($"The {cell} architecture needs one entry per node ({Options.Nodes}), got {nodes.Count}.", nameof(nodes));
        }

        for (int i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i] ?? throw new ArgumentException($"The {cell} architecture has no entry for node {i}.", nameof(nodes));
            if (node.Candidates is null || node.Weights is null)
            {
                throw new ArgumentException($"Node {i} of the {cell} architecture has null candidates or weights.", nameof(nodes));
            }

            int count = Options.CandidateCount(i);
            var seen = new HashSet<int>();
            foreach (int c in node.Candidates)
            {
                if (c < 0 || c >= count)
                {
                    throw new ArgumentException($"Node {i} of the {cell} architecture lists candidate {c}, outside [0, {count}).", nameof(nodes));
                }

                if (!seen.Add(c))
                {
                    throw new ArgumentException($"Node {i} of the {cell} architecture lists candidate {c} more than once.", nameof(nodes));
                }
            }

            if (node.Weights.dim() != 1 || node.Weights.shape[0] != node.Candidates.Length)
            {
                throw new ArgumentException(
                    $"Node {i} of the {cell} architecture has {node.Candidates.Length} candidates but weights of shape [{string.Join(", ", node.Weights.shape)}]; expected [{node.Candidates.Length}].",
                    nameof(nodes));
            }
        }

        _architectures[cell] = [.. nodes];
    }

    /// <summary>Sets the architecture of both cell types from a search space (ISTA-NAS' alpha, DARTS' softmax weights).</summary>
    /// <param name="source">The search space.</param>
    /// <exception cref="ArgumentException">The source's architecture does not fit the network.</exception>
    internal void SetArchitecture(IArchitectureSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        SetArchitecture(CellType.Normal, source.ArchitectureWeights(CellType.Normal));
        SetArchitecture(CellType.Reduce, source.ArchitectureWeights(CellType.Reduce));
    }

    /// <summary>The current architecture of cell type <paramref name="cell"/>, or null if none was set.</summary>
    /// <param name="cell">Normal or reduction cells.</param>
    /// <returns>The node weights last passed to <see cref="SetArchitecture(CellType, IReadOnlyList{NodeWeights})"/>.</returns>
    public IReadOnlyList<NodeWeights>? GetArchitecture(CellType cell) =>
        _architectures.TryGetValue(cell, out var nodes) ? nodes : null;

    /// <summary>
    /// Holds every BN inside the given candidates of one node (in every cell of that type) at gamma = 1, beta = 0
    /// without gradient, or lets them train. One-stage ISTA-NAS holds all of them (SepConv has two, the inner one too)
    /// while the node searches and releases the selected ones when it freezes, as the authors' <c>MixedOp</c> and
    /// <c>freeze_alpha</c> do. Non-affine BNs have nothing to hold and are skipped.
    /// </summary>
    /// <param name="cell">Normal or reduction cells.</param>
    /// <param name="node">0-based intermediate node.</param>
    /// <param name="candidates">Candidate indices of that node.</param>
    /// <param name="trainable">False: reset to gamma = 1, beta = 0 and stop their gradient; true: let them train.</param>
    /// <exception cref="ArgumentOutOfRangeException">The node or a candidate is out of range.</exception>
    public void SetCandidateBatchNormTrainable(CellType cell, int node, IEnumerable<int> candidates, bool trainable)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (node < 0 || node >= Options.Nodes)
            throw new ArgumentOutOfRangeException(nameof(node), node, $"The cells have nodes 0..{Options.Nodes - 1}.");
        int[] chosen = candidates.ToArray();
        foreach (int c in chosen)
            if (c < 0 || c >= Options.CandidateCount(node))
                throw new ArgumentOutOfRangeException(nameof(candidates), c, $"Node {node} has candidates 0..{Options.CandidateCount(node) - 1}.");
        using var noGrad = no_grad();
        foreach (SuperNetCell searchCell in Cells.Where(c => c.IsReduction == (cell == CellType.Reduce)))
        {
            foreach (int candidate in chosen)
            {
                foreach (BatchNorm2d bn in searchCell.Nodes[node].Candidate(candidate).modules().OfType<BatchNorm2d>())
                    SetBatchNormTrainable(bn, trainable);
            }
        }
    }

    /// <summary>
    /// Holds one affine BN at gamma = 1, beta = 0 without gradient (<paramref name="trainable"/> false) or lets it train;
    /// a non-affine BN has nothing to hold and is skipped. The one-stage search's hold and release of a candidate's BNs,
    /// here and on a model with choices. Call it under <c>no_grad</c>.
    /// </summary>
    internal static void SetBatchNormTrainable(BatchNorm bn, bool trainable)
    {
        if (bn.weight is null || bn.bias is null) return;
        if (!trainable)
        {
            bn.weight.fill_(1);
            bn.bias.fill_(0);
            bn.weight.grad = null;
            bn.bias.grad = null;
        }
        bn.weight.requires_grad = trainable;
        bn.bias.requires_grad = trainable;
    }

    /// <inheritdoc />
    public IEnumerable<Parameter> WeightParameters() => parameters();

    private protected override void BeforeForward()
    {
        _normal = RequireArchitecture(CellType.Normal);
        _reduce = RequireArchitecture(CellType.Reduce);
    }

    private protected override Tensor CellForward(nn.Module cell, Tensor s0, Tensor s1, double dropPathProbability)
    {
        var c = (SuperNetCell)cell;
        return c.forward(s0, s1, c.IsReduction ? _reduce : _normal, dropPathProbability);
    }

    private static SuperNetOptions Validated(SuperNetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        NetworkValidation.Options(options);
        return options;
    }

    private NodeWeights[] RequireArchitecture(CellType cell)
    {
        bool used = Cells.Any(c => c.IsReduction == (cell == CellType.Reduce));
        if (_architectures.TryGetValue(cell, out var nodes))
        {
            return nodes;
        }

        if (!used)
        {
            return [];
        }

        throw new InvalidOperationException($"No architecture was set for the {cell} cells; call {nameof(SetArchitecture)} first.");
    }
}
