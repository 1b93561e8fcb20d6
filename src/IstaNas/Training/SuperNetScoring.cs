using IstaNas.Architecture;
using IstaNas.Data;
using IstaNas.Networks;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Training;

/// <summary>
/// Scores a genotype inside a trained super-net, as weight-sharing methods rank architectures (random search with
/// weight sharing, Li and Talwalkar 2019; the consistency study of the ISTA-NAS paper, its Table 2): every node runs the
/// genotype's candidates with weight 1 and inherited weights; every BN's running statistics are reset and recalibrated on
/// training batches (training mode, no gradient, the cumulative average of "Single path one-shot", Guo et al. 2020);
/// then the top-1 accuracy on validation batches in evaluation mode is the score.
/// <para>
/// Afterwards the network keeps the recalibrated statistics of the scored genotype (they are not restored: a search
/// network trains in training mode, where running statistics are not used, and every score recalibrates from scratch);
/// its training mode and drop-path probability are restored. The weight tensors of the scored architecture are disposed
/// on return, so set the network's architecture again before its next forward pass (as every training step does).
/// </para>
/// </summary>
internal static class SuperNetScoring
{
    /// <summary>
    /// The architecture of one cell type of <paramref name="genotype"/> in <paramref name="network"/>: per node the
    /// candidates <c>predecessor * K + operation</c> of its pairs (K: the network's operations, <c>none</c> included for a
    /// DARTS super-net), ascending, each with weight 1.
    /// </summary>
    /// <param name="network">The super-net.</param>
    /// <param name="genotype">The genotype (the network's number of nodes; operations the network has).</param>
    /// <param name="cell">Normal or reduction cell.</param>
    /// <returns>The candidates of every node; the weights are new tensors on the network's device, which the caller disposes (or its dispose scope does).</returns>
    /// <exception cref="ArgumentException">The genotype does not fit the network.</exception>
    public static NodeWeights[] Architecture(SuperNet network, Genotype genotype, CellType cell)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(genotype);
        SuperNetOptions o = network.Options;
        if (genotype.Nodes != o.Nodes)
            throw new ArgumentException($"The genotype has {genotype.Nodes} nodes per cell; the super-net has {o.Nodes}.", nameof(genotype));
        var supports = new int[o.Nodes][];
        for (int node = 0; node < o.Nodes; node++)
        {
            var candidates = new SortedSet<int>();
            foreach (GenotypeEdge edge in genotype.NodeEdges(cell, node))
            {
                int op = IndexOf(o.Operations, edge.Operation);
                if (op < 0)
                    throw new ArgumentException(
                        $"The genotype's {cell} node {node} uses '{edge.Operation}', which is not an operation of the super-net ({string.Join(", ", o.Operations)}).",
                        nameof(genotype));
                if (!candidates.Add((edge.Input * o.OperationCount) + op))
                    throw new ArgumentException($"The genotype's {cell} node {node} lists {edge} twice.", nameof(genotype));
            }

            supports[node] = [.. candidates];
        }

        return Weights(network, supports);
    }

    /// <summary>Sets both cell types of <paramref name="network"/> to the genotype's candidates with weight 1 (see <see cref="Architecture"/>).</summary>
    /// <param name="network">The super-net.</param>
    /// <param name="genotype">The genotype.</param>
    /// <exception cref="ArgumentException">The genotype does not fit the network.</exception>
    public static void SetArchitecture(SuperNet network, Genotype genotype)
    {
        NodeWeights[] normal = Architecture(network, genotype, CellType.Normal);
        NodeWeights[] reduce = Architecture(network, genotype, CellType.Reduce);
        network.SetArchitecture(CellType.Normal, normal);
        network.SetArchitecture(CellType.Reduce, reduce);
    }

    /// <summary>
    /// The validation top-1 accuracy (0..1) of <paramref name="genotype"/> in <paramref name="network"/> with its BN
    /// statistics recalibrated on <paramref name="calibration"/> (see the class summary). Every batch is disposed once used.
    /// </summary>
    /// <param name="network">The trained super-net.</param>
    /// <param name="genotype">The genotype to score.</param>
    /// <param name="calibration">Training batches for the BN statistics (their count is the K of the recalibration; at least one).</param>
    /// <param name="validation">Validation batches (at least one image).</param>
    /// <returns>Correct top-1 predictions over validation images.</returns>
    /// <exception cref="ArgumentException">The genotype does not fit the network, or a batch list is empty.</exception>
    public static double Accuracy(SuperNet network, Genotype genotype, IEnumerable<Batch> calibration, IEnumerable<Batch> validation)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(genotype);
        ArgumentNullException.ThrowIfNull(calibration);
        ArgumentNullException.ThrowIfNull(validation);
        double dropPath = network.DropPathProbability;
        try
        {
            return Accuracy(network, () =>
            {
                SetArchitecture(network, genotype);
                network.DropPathProbability = 0;
            }, calibration, validation);
        }
        finally
        {
            network.DropPathProbability = dropPath;
        }
    }

    /// <summary>
    /// The validation top-1 accuracy (0..1) of the architecture <paramref name="setArchitecture"/> gives
    /// <paramref name="network"/> (its weight tensors go to a dispose scope that ends on return), BN statistics recalibrated
    /// on <paramref name="calibration"/> first; the network's training mode is restored. Every batch is disposed once used.
    /// </summary>
    /// <exception cref="ArgumentException">A batch list is empty.</exception>
    internal static double Accuracy(nn.Module<Tensor, Tensor> network, Action setArchitecture, IEnumerable<Batch> calibration, IEnumerable<Batch> validation)
    {
        bool wasTraining = network.training;
        using var scope = NewDisposeScope(); // the architecture's weight tensors
        setArchitecture();
        try
        {
            Recalibrate(network, calibration);
            network.eval();
            long correct = 0, seen = 0;
            using (no_grad())
            {
                foreach (Batch batch in validation)
                {
                    using Batch b = batch;
                    using var step = NewDisposeScope();
                    correct += network.forward(b.Images).argmax(1).eq(b.Labels).sum().item<long>();
                    seen += b.Count;
                }
            }

            if (seen == 0) throw new ArgumentException("No validation batch to score the genotype on.", nameof(validation));
            return (double)correct / seen;
        }
        finally
        {
            network.train(wasTraining);
        }
    }

    /// <summary>
    /// Resets every BN's running statistics and recomputes them as the plain average over the batches (batch k, 0-based,
    /// enters with momentum 1 / (k + 1): PyTorch's <c>momentum=None</c>), forwarding in training mode without gradient.
    /// The BNs' momentum is restored afterwards.
    /// </summary>
    internal static void Recalibrate(nn.Module<Tensor, Tensor> network, IEnumerable<Batch> calibration)
    {
        BatchNorm2d[] norms = [.. network.modules().OfType<BatchNorm2d>().Where(bn => bn.track_running_stats)];
        double?[] momenta = [.. norms.Select(bn => bn.momentum)];
        foreach (BatchNorm2d bn in norms) bn.reset_running_stats();
        network.train();
        int k = 0;
        try
        {
            using (no_grad())
            {
                foreach (Batch batch in calibration)
                {
                    using Batch b = batch;
                    using var step = NewDisposeScope();
                    foreach (BatchNorm2d bn in norms) bn.momentum = 1.0 / (k + 1);
                    network.forward(b.Images);
                    k++;
                }
            }
        }
        finally
        {
            for (int i = 0; i < norms.Length; i++) norms[i].momentum = momenta[i];
        }

        if (k == 0) throw new ArgumentException("No training batch to recalibrate the BN statistics on.", nameof(calibration));
    }

    /// <summary>Weight-1 node weights for the given candidates on the network's device.</summary>
    internal static NodeWeights[] Weights(nn.Module network, IReadOnlyList<int[]> supports)
    {
        Device device = network.parameters().First().device;
        return [.. supports.Select(s => new NodeWeights(s, ones(s.Length, dtype: float32, device: device)))];
    }

    private static int IndexOf(IReadOnlyList<string> operations, string name)
    {
        for (int i = 0; i < operations.Count; i++)
            if (string.Equals(operations[i], name, StringComparison.Ordinal)) return i;
        return -1;
    }
}
