using IstaNas.Architecture;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Networks;

/// <summary>
/// Turns a one-stage super-net with a fixed architecture into a plain <see cref="EvaluationNetwork"/> by folding each
/// architecture weight into the last BN of its operation: <c>alpha * (gamma * x_hat + beta) = (alpha * gamma) * x_hat + alpha * beta</c>.
/// </summary>
internal static class BatchNormAbsorption
{
    /// <summary>
    /// Builds the evaluation network of the super-net's current architecture (exactly two candidates per node, constant
    /// weights) with <see cref="EvaluationNetworkOptions.BatchNormAfterParameterFree"/> = true, copies the trained weights and
    /// BN statistics of the stem, preprocessing, selected operations, auxiliary head and classifier, and sets the last
    /// BN of each selected operation to <c>gamma' = alpha * gamma</c>, <c>beta' = alpha * beta</c> (gamma = 1, beta = 0
    /// when the super-net's BN is not affine). The result computes the same function as the super-net (training and
    /// evaluation mode, drop path aside) and starts in the super-net's mode.
    /// </summary>
    /// <param name="superNet">A super-net built with <see cref="SuperNetOptions.AppendedBatchNorm"/> = <see cref="AppendedBatchNorm.PoolsAndSkip"/> = true.</param>
    /// <returns>The exported network; the caller owns it.</returns>
    /// <exception cref="InvalidOperationException">No architecture set, a node without exactly two candidates, or an operation without a final BN.</exception>
    public static EvaluationNetwork Export(SuperNet superNet)
    {
        ArgumentNullException.ThrowIfNull(superNet);
        var o = superNet.Options;
        if (o.AppendedBatchNorm != AppendedBatchNorm.PoolsAndSkip)
        {
            throw new InvalidOperationException(
                $"BN absorption needs every candidate to end with a BN: build the super-net with AppendedBatchNorm = PoolsAndSkip (it has {o.AppendedBatchNorm}).");
        }

        var architectures = new Dictionary<CellType, IReadOnlyList<NodeWeights>>
        {
            [CellType.Normal] = Architecture(superNet, CellType.Normal),
            [CellType.Reduce] = Architecture(superNet, CellType.Reduce),
        };
        var evalOptions = new EvaluationNetworkOptions(o) { BatchNormAfterParameterFree = true, DropPathProbability = superNet.DropPathProbability };
        var net = new EvaluationNetwork(
            evalOptions,
            Topology(architectures[CellType.Normal], o),
            Topology(architectures[CellType.Reduce], o));
        try
        {
            using (torch.no_grad())
            {
                CopyState(superNet.StemModules[0], net.StemModules[0], "stem");
                CopyState(superNet.Classifier, net.Classifier, "classifier");
                if (superNet.AuxiliaryHead is not null && net.AuxiliaryHead is not null)
                {
                    CopyState(superNet.AuxiliaryHead, net.AuxiliaryHead, "auxiliary head");
                }

                var searchCells = superNet.Cells;
                var evalCells = net.Cells;
                for (int c = 0; c < searchCells.Count; c++)
                {
                    var source = searchCells[c];
                    var target = evalCells[c];
                    CopyState(source.Preprocess0, target.Preprocess0, $"cell {c} preprocess0");
                    CopyState(source.Preprocess1, target.Preprocess1, $"cell {c} preprocess1");
                    var nodes = architectures[source.IsReduction ? CellType.Reduce : CellType.Normal];
                    var targetOps = target.Operations;
                    var sourceNodes = source.Nodes;
                    for (int i = 0; i < nodes.Count; i++)
                    {
                        for (int k = 0; k < 2; k++)
                        {
                            var sourceOp = sourceNodes[i].Candidate(nodes[i].Candidates[k]);
                            var targetOp = targetOps[2 * i + k];
                            string where = $"cell {c} node {i} candidate {nodes[i].Candidates[k]}";
                            CopyState(sourceOp, targetOp, where);
                            using var alphaTensor = nodes[i].Weights[k];
                            double alpha = alphaTensor.ToDouble();
                            Fold(sourceOp.OutputBatchNorm, targetOp.OutputBatchNorm, alpha, where);
                        }
                    }
                }
            }

            net.train(superNet.training);
            return net;
        }
        catch
        {
            net.Dispose();
            throw;
        }
    }

    private static IReadOnlyList<NodeWeights> Architecture(SuperNet superNet, CellType cell)
    {
        var nodes = superNet.GetArchitecture(cell)
            ?? throw new InvalidOperationException($"The super-net has no {cell} architecture; call SetArchitecture first.");
        for (int i = 0; i < nodes.Count; i++)
        {
            if (nodes[i].Candidates.Length != 2)
            {
                throw new InvalidOperationException(
                    $"Node {i} of the {cell} architecture has {nodes[i].Candidates.Length} candidates; BN absorption needs exactly 2 per node.");
            }
        }

        return nodes;
    }

    private static CellTopology Topology(IReadOnlyList<NodeWeights> nodes, SuperNetOptions options)
    {
        int k = options.OperationCount;
        var edges = nodes.SelectMany(n => n.Candidates.Select(c => (options.Operations[CandidateIndex.Operation(c, k)], CandidateIndex.Predecessor(c, k)))).ToArray();
        return CellTopology.FromEdges(edges);
    }

    private static void CopyState(nn.Module source, nn.Module target, string where)
    {
        var destination = target.state_dict();
        foreach (var (name, value) in source.state_dict())
        {
            if (!destination.TryGetValue(name, out var slot))
            {
                throw new InvalidOperationException($"The exported {where} has no '{name}'; the module structures differ.");
            }

            if (!slot.shape.SequenceEqual(value.shape))
            {
                throw new InvalidOperationException(
                    $"Shape mismatch for '{name}' of {where}: [{string.Join(", ", value.shape)}] vs [{string.Join(", ", slot.shape)}].");
            }

            slot.copy_(value);
        }
    }

    private static void Fold(BatchNorm2d? source, BatchNorm2d? target, double alpha, string where)
    {
        if (source is null || target is null)
        {
            throw new InvalidOperationException(
                $"The operation of {where} does not end with a BN; build the super-net with AppendedBatchNorm = PoolsAndSkip.");
        }

        var weight = target.weight ?? throw new InvalidOperationException($"The exported BN of {where} is not affine.");
        var bias = target.bias ?? throw new InvalidOperationException($"The exported BN of {where} is not affine.");
        if (source.weight is null)
        {
            weight.fill_(alpha);
        }
        else
        {
            using var scaled = source.weight * alpha;
            weight.copy_(scaled);
        }

        if (source.bias is null)
        {
            bias.zero_();
        }
        else
        {
            using var scaled = source.bias * alpha;
            bias.copy_(scaled);
        }
    }
}
