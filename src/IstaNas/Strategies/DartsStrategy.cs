using System.Diagnostics;
using IstaNas.Architecture;
using IstaNas.Data;
using IstaNas.Networks;
using Microsoft.Extensions.Logging;
using TorchSharp;
using Parameter = TorchSharp.Modules.Parameter;
using static TorchSharp.torch;

namespace IstaNas.Strategies;

/// <summary>
/// First-order DARTS (Liu et al., 2019) on the same cells, as the dense baseline: the operations are <c>none</c> followed
/// by the search-space operations (K' = K + 1), every candidate of every edge runs, and each edge mixes its operations with
/// the softmax of its row of <c>alpha_normal</c> or <c>alpha_reduce</c> (<c>[edges, K']</c>, initialised as
/// <c>1e-3 * N(0, 1)</c>). Per minibatch an architecture step (Adam on the validation loss, no unrolling) alternates with
/// a W-step (SGD, cosine schedule, gradient clipping). The genotype keeps, per node, the two incoming edges whose
/// strongest non-<c>none</c> weight is largest, each with its strongest non-<c>none</c> operation.
/// </summary>
public sealed class DartsStrategy : IStrategy
{
    /// <summary>Creates the strategy.</summary>
    /// <param name="options">The options; validated here.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid.</exception>
    public DartsStrategy(DartsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = OptionsValidation.Validate(options, "Darts");
    }

    /// <summary>The options of this run.</summary>
    public DartsOptions Options { get; }

    /// <inheritdoc />
    public string Name => "darts";

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
            result[i] = new NodeWeights(Enumerable.Range(0, edges * k).ToArray(), weights.narrow(0, start, edges).reshape(-1));
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
    public SearchResult Run(SearchContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ILogger log = context.LoggerFactory.CreateLogger<DartsStrategy>();
        var total = Stopwatch.StartNew();
        DartsOptions o = Options;

        (DataLoader trainLoader, DataLoader validLoader, int steps) = SearchSetup.BilevelLoaders(context, o, o.TrainPortion, "alpha");

        int nodes = context.SearchSpace.Nodes;
        IReadOnlyList<string> operations = DenseOperations([.. context.SearchSpace.Operations]);
        torch.random.manual_seed(context.Seed);
        using var alphaNormal = new Parameter(randn(EdgeCount(nodes), operations.Count, dtype: float32).mul_(1e-3).to(context.Device));
        using var alphaReduce = new Parameter(randn(EdgeCount(nodes), operations.Count, dtype: float32).mul_(1e-3).to(context.Device));
        using var net = new SearchNetwork(SearchSetup.Network(context, o, operations) with { Affine = false });
        net.to(context.Device);
        Parameter[] weights = net.WeightParameters().ToArray();
        using var wOptimizer = optim.SGD(weights, o.LearningRate, o.Momentum, weight_decay: o.WeightDecay);
        using var aOptimizer = optim.Adam([alphaNormal, alphaReduce], o.ArchLearningRate, o.ArchBeta1, o.ArchBeta2, weight_decay: o.ArchWeightDecay);

        log.LogInformation(
            "DARTS (first order) on {Dataset} ({Train} images for W, {Valid} for alpha): C={C} L={L} batch {Batch}, {Steps} steps x {Epochs} epochs, K'={K}",
            context.Train.Name, trainLoader.Dataset.Count, validLoader.Dataset.Count, o.Channels, o.Layers, o.BatchSize, steps, o.Epochs, operations.Count);

        var history = new List<EpochReport>();
        bool cancelled = false;
        for (int epoch = 0; epoch < o.Epochs && !cancelled; epoch++)
        {
            var clock = Stopwatch.StartNew();
            double lr = CosineSchedule.At(epoch, o.Epochs, o.LearningRate, o.LearningRateMin);
            CosineSchedule.Apply(wOptimizer, lr);
            net.train();
            using var trainMetrics = new RunningMetrics(context.Device);
            using var validMetrics = new RunningMetrics(context.Device);
            using (IEnumerator<Batch> trainBatches = trainLoader.GetEpoch(epoch).GetEnumerator())
            using (IEnumerator<Batch> validBatches = validLoader.GetEpoch(epoch).GetEnumerator())
            {
                for (int step = 0; step < steps; step++)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        cancelled = true;
                        break;
                    }
                    trainBatches.MoveNext();
                    validBatches.MoveNext();
                    using Batch train = trainBatches.Current;
                    using Batch valid = validBatches.Current;
                    using (NewDisposeScope())
                        BilevelStep.Run(net, () => SetArchitecture(net, alphaNormal, alphaReduce, nodes), [alphaNormal, alphaReduce], aOptimizer, weights, wOptimizer, o.GradClip, valid, train, validMetrics, trainMetrics);
                    if (context.StepProgress is not null && ((step + 1) % 10 == 0 || step + 1 == steps))
                        context.StepProgress.Report(new StepReport(epoch + 1, step + 1, steps, trainMetrics.MeanLoss, trainMetrics.Accuracy));
                }
            }
            if (trainMetrics.Samples == 0) break; // cancelled before the first step of this epoch

            Genotype genotype = DeriveGenotype(alphaNormal, alphaReduce, operations, nodes);
            var report = new EpochReport
            {
                Epoch = epoch + 1,
                Epochs = o.Epochs,
                LearningRate = lr,
                TrainLoss = trainMetrics.MeanLoss,
                TrainAccuracy = trainMetrics.Accuracy,
                ValidLoss = validMetrics.MeanLoss,
                ValidAccuracy = validMetrics.Accuracy,
                Genotype = genotype,
                Elapsed = clock.Elapsed,
            };
            history.Add(report);
            log.LogInformation(
                "epoch {Epoch}/{Epochs} lr {Lr:0.#####} train loss {TrainLoss:0.####} top1 {TrainAcc:P2} valid loss {ValidLoss:0.####} top1 {ValidAcc:P2} ({Time:0.0} s){NewLine}{Genotype}",
                report.Epoch, o.Epochs, lr, report.TrainLoss, report.TrainAccuracy, report.ValidLoss, report.ValidAccuracy,
                clock.Elapsed.TotalSeconds, Environment.NewLine, genotype);
            context.Progress?.Report(report);
        }

        return new SearchResult
        {
            Genotype = DeriveGenotype(alphaNormal, alphaReduce, operations, nodes),
            SearchSpace = null,
            History = history,
            Cancelled = cancelled,
            Elapsed = total.Elapsed,
        };
    }

    /// <summary>Hands softmax(alpha) of both cell types to the dense super-net (all candidates listed).</summary>
    internal static void SetArchitecture(ISuperNet net, Tensor alphaNormal, Tensor alphaReduce, int nodes)
    {
        net.SetArchitecture(CellType.Normal, DenseArchitecture(alphaNormal, nodes));
        net.SetArchitecture(CellType.Reduce, DenseArchitecture(alphaReduce, nodes));
    }
}
