using IstaNas.Architecture;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Networks;

/// <summary>
/// A cell of the search super-net (DARTS <c>model_search.Cell</c>): preprocessing of the two inputs
/// (<see cref="FactorizedReduce"/> for s0 after a reduction cell, else <see cref="ReLUConvBN"/> 1 x 1; 1 x 1
/// <see cref="ReLUConvBN"/> for s1), N <see cref="SuperNetNode"/>s, and the concatenation of all intermediate nodes.
/// </summary>
internal sealed class SuperNetCell : nn.Module
{
    private readonly Operation preprocess0;
    private readonly Operation preprocess1;
    private readonly ModuleList<SuperNetNode> nodes;

    /// <summary>Creates the cell.</summary>
    /// <param name="options">The validated super-net options.</param>
    /// <param name="prevPrevChannels">Channels of s0 (output of the cell before the previous one).</param>
    /// <param name="prevChannels">Channels of s1 (output of the previous cell).</param>
    /// <param name="channels">Channels C of this cell's nodes.</param>
    /// <param name="reduction">Whether this is a reduction cell.</param>
    /// <param name="reductionPrevious">Whether the previous cell was a reduction cell.</param>
    public SuperNetCell(SuperNetOptions options, int prevPrevChannels, int prevChannels, int channels, bool reduction, bool reductionPrevious)
        : base(nameof(SuperNetCell))
    {
        ArgumentNullException.ThrowIfNull(options);
        IsReduction = reduction;
        Channels = channels;
        preprocess0 = reductionPrevious
            ? new FactorizedReduce(prevPrevChannels, channels, options.Affine)
            : new ReLUConvBN(prevPrevChannels, channels, 1, 1, 0, options.Affine);
        preprocess1 = new ReLUConvBN(prevChannels, channels, 1, 1, 0, options.Affine);
        var list = new SuperNetNode[options.Nodes];
        for (int i = 0; i < list.Length; i++)
        {
            list[i] = new SuperNetNode(i, options.Operations, channels, reduction, options.Affine, options.AppendedBatchNorm);
        }

        nodes = nn.ModuleList(list);
        RegisterComponents();
    }

    /// <summary>Whether this is a reduction cell.</summary>
    public bool IsReduction { get; }

    /// <summary>Channels C of each intermediate node.</summary>
    public int Channels { get; }

    /// <summary>Output channels: <c>Nodes * Channels</c>.</summary>
    public int OutputChannels => nodes.Count * Channels;

    /// <summary>The intermediate nodes.</summary>
    public IReadOnlyList<SuperNetNode> Nodes => [.. nodes];

    /// <summary>Preprocessing of s0.</summary>
    public Operation Preprocess0 => preprocess0;

    /// <summary>Preprocessing of s1.</summary>
    public Operation Preprocess1 => preprocess1;

    /// <summary>Computes the cell output (the channel concatenation of all intermediate nodes).</summary>
    /// <param name="s0">Output of the cell before the previous one.</param>
    /// <param name="s1">Output of the previous cell.</param>
    /// <param name="architecture">One <see cref="NodeWeights"/> per intermediate node (validated by the network).</param>
    /// <param name="dropPathProbability">Drop-path probability (training only).</param>
    /// <returns>The cell output; intermediate tensors belong to the caller's dispose scope.</returns>
    public Tensor forward(Tensor s0, Tensor s1, IReadOnlyList<NodeWeights> architecture, double dropPathProbability)
    {
        using var scope = NewDisposeScope(); // the cell's states die with it, as in Python; autograd keeps what it needs
        var states = new List<Tensor>(nodes.Count + 2) { preprocess0.call(s0), preprocess1.call(s1) };
        var p = states[1];
        long[] outputShape = IsReduction
            ? [p.shape[0], Channels, (p.shape[2] + 1) / 2, (p.shape[3] + 1) / 2]
            : [p.shape[0], Channels, p.shape[2], p.shape[3]];
        for (int i = 0; i < nodes.Count; i++)
        {
            states.Add(nodes[i].forward(states, architecture[i], outputShape, dropPathProbability));
        }

        return torch.cat(states.Skip(2).ToArray(), 1).MoveToOuterDisposeScope();
    }
}
