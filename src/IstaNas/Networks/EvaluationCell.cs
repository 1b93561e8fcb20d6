using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Networks;

/// <summary>
/// A cell of the evaluation network (DARTS <c>model.Cell</c>): preprocessing of the two inputs, two operations per
/// intermediate node whose outputs are summed, drop path on non-identity operations in training, and the
/// concatenation of the <see cref="CellTopology.Concat"/> states.
/// </summary>
internal sealed class EvaluationCell : nn.Module
{
    private readonly Operation preprocess0;
    private readonly Operation preprocess1;
    private readonly ModuleList<Operation> ops;
    private readonly int[] _inputs;
    private readonly int[] _concat;

    /// <summary>Creates the cell.</summary>
    /// <param name="topology">The validated cell description.</param>
    /// <param name="prevPrevChannels">Channels of s0.</param>
    /// <param name="prevChannels">Channels of s1.</param>
    /// <param name="channels">Channels C of the cell's nodes.</param>
    /// <param name="reduction">Whether this is a reduction cell (stride 2 on edges from the cell inputs).</param>
    /// <param name="reductionPrevious">Whether the previous cell was a reduction cell.</param>
    /// <param name="batchNormAfterParameterFree">Append a BN to pools and the identity skip (one-stage form).</param>
    public EvaluationCell(CellTopology topology, int prevPrevChannels, int prevChannels, int channels, bool reduction, bool reductionPrevious,
        bool batchNormAfterParameterFree)
        : base(nameof(EvaluationCell))
    {
        ArgumentNullException.ThrowIfNull(topology);
        IsReduction = reduction;
        Channels = channels;
        preprocess0 = reductionPrevious
            ? new FactorizedReduce(prevPrevChannels, channels, affine: true)
            : new ReLUConvBN(prevPrevChannels, channels, 1, 1, 0, affine: true);
        preprocess1 = new ReLUConvBN(prevChannels, channels, 1, 1, 0, affine: true);
        _inputs = topology.Edges.Select(e => e.Input).ToArray();
        _concat = topology.Concat.ToArray();
        ops = nn.ModuleList(topology.Edges
            .Select(e => OperationFactory.Create(e.Op, channels, reduction && e.Input < 2 ? 2 : 1, affine: true, batchNormAfterParameterFree ? AppendedBatchNorm.PoolsAndSkip : AppendedBatchNorm.None))
            .ToArray());
        RegisterComponents();
    }

    /// <summary>Whether this is a reduction cell.</summary>
    public bool IsReduction { get; }

    /// <summary>Channels C of each intermediate node.</summary>
    public int Channels { get; }

    /// <summary>Output channels: <c>Concat.Count * Channels</c>.</summary>
    public int OutputChannels => _concat.Length * Channels;

    /// <summary>The operations, two per intermediate node, in <see cref="CellTopology.Edges"/> order.</summary>
    public IReadOnlyList<Operation> Operations => [.. ops];

    /// <summary>Preprocessing of s0.</summary>
    public Operation Preprocess0 => preprocess0;

    /// <summary>Preprocessing of s1.</summary>
    public Operation Preprocess1 => preprocess1;

    /// <summary>Computes the cell output.</summary>
    /// <param name="s0">Output of the cell before the previous one.</param>
    /// <param name="s1">Output of the previous cell.</param>
    /// <param name="dropPathProbability">Drop-path probability (applied in training only).</param>
    /// <returns>The cell output; intermediate tensors belong to the caller's dispose scope.</returns>
    public Tensor forward(Tensor s0, Tensor s1, double dropPathProbability)
    {
        using var scope = NewDisposeScope(); // the cell's states die with it, as in Python; autograd keeps what it needs
        var states = new List<Tensor>(_inputs.Length / 2 + 2) { preprocess0.call(s0), preprocess1.call(s1) };
        for (int i = 0; i < _inputs.Length / 2; i++)
        {
            var h1 = Edge(2 * i, states, dropPathProbability);
            var h2 = Edge(2 * i + 1, states, dropPathProbability);
            states.Add(h1.add(h2, KeptScalars.One));
        }

        return torch.cat(_concat.Select(s => states[s]).ToArray(), 1).MoveToOuterDisposeScope();
    }

    private Tensor Edge(int edge, List<Tensor> states, double dropPathProbability)
    {
        var op = ops[edge];
        var h = op.call(states[_inputs[edge]]);
        return training && dropPathProbability > 0.0 && !op.IsBareIdentity ? DropPath.Apply(h, dropPathProbability) : h;
    }
}
