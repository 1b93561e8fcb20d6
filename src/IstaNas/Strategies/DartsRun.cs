using IstaNas.Architecture;
using IstaNas.Checkpoints;
using IstaNas.Choices;
using IstaNas.Networks;
using IstaNas.SearchSpace;
using IstaNas.Training;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;
using ChoiceArchitecture = IstaNas.Choices.Architecture;

namespace IstaNas.Strategies;

/// <summary>
/// First-order DARTS (Liu et al., 2019) on the same cells, as the dense baseline (<see cref="DartsSearchSpace"/>): every
/// candidate of every edge runs, mixed by the softmax of its edge's alpha. Per minibatch an architecture step (Adam on
/// the validation loss, no unrolling) alternates with a W-step (SGD, cosine schedule, gradient clipping). Checkpoints
/// (<c>darts.ckpt</c>) and resume work as for the ISTA-NAS strategies.
/// <para>
/// One first-order DARTS search: the bilevel run on the dense DARTS cell space, or on the choices of a model (softmax
/// over the K candidates of every choice, <see cref="DartsDecisionSpace"/>).
/// </para>
/// </summary>
internal sealed class DartsRun : BilevelRun
{
    /// <summary>The strategy's name and checkpoint kind.</summary>
    public const string StrategyName = "darts";

    private const string AlphaValue = "alpha";

    private DartsSearchSpace? _space;
    private DartsDecisionSpace? _choices;

    public DartsRun(SearchContext context, DartsOptions o, ILogger log)
        : base(StrategyName, context, o, o.Architecture, o.TrainPortion, "alpha", log)
    {
        if (_space is not null)
        {
            DartsSearchSpace space = _space;
            UseSearchSpace(() => [.. space.ArchitectureWeights(CellType.Normal), .. space.ArchitectureWeights(CellType.Reduce)], space.Parameters);
            log.LogInformation(
                "DARTS (first order) on {Dataset} ({Train} images for W, {Valid} for alpha): C={C} L={L} batch {Batch}, {Steps} steps x {Epochs} epochs, K'={K}",
                context.Train.Name, TrainImages, ValidImages, o.Channels, o.Layers, o.BatchSize, StepsPerEpoch, o.Epochs, space.Operations.Count);
        }
        else
        {
            DartsDecisionSpace choices = _choices!;
            UseSearchSpace(choices.ArchitectureWeights, choices.Parameters);
            log.LogInformation(
                "DARTS (first order) of {Choices} choices on {Dataset} ({Train} images for W, {Valid} for alpha): batch {Batch}, {Steps} steps x {Epochs} epochs; {Decisions}",
                choices.Decisions.Count, context.Train.Name, TrainImages, ValidImages, o.BatchSize, StepsPerEpoch, o.Epochs, SuperNets.Describe(choices.Decisions));
        }
    }

    /// <summary>The DARTS strategy (<c>SearchBuilder.UseDarts</c>).</summary>
    public static IStrategy Strategy(DartsOptions options) => new BuiltInStrategy<DartsOptions>(StrategyName, options, "Darts", Search);

    /// <summary>One DARTS search on the context (the DARTS cell space or a model's choices), resumed from <see cref="SearchContext.ResumeFrom"/> if set.</summary>
    public static SearchResult Search(SearchContext context, DartsOptions options, CancellationToken cancellationToken)
    {
        using var run = new DartsRun(context, options, context.LoggerFactory.CreateLogger<DartsRun>());
        return run.Result(run.Run(context.ResumeFrom, cancellationToken));
    }

    protected override string ArchitectureOptimizerSection => "alpha-optimizer";

    protected override nn.Module<Tensor, Tensor> CreateSpaceAndNetwork()
    {
        if (Context.Space is null)
        {
            _space = new DartsSearchSpace([.. Context.SearchSpace.Operations], Context.SearchSpace.Nodes, Context.Device);
            return CellSuperNet(DartsSearchSpace.DenseOperations([.. Context.SearchSpace.Operations]));
        }

        // The model first (its choices are the decisions), then alpha from the same generator.
        ChoiceSuperNet net = SuperNets.ChoiceNetwork(Context);
        _choices = new DartsDecisionSpace(net.Decisions, Context.Device);
        SpaceDecisions = net.Decisions;
        return net;
    }

    protected override EpochReport FinishEpoch(EpochReport report)
    {
        if (_space is null)
        {
            Log.LogInformation("{Architecture}", ChoiceArchitecture());
            return report;
        }

        var genotype = _space.DeriveGenotype();
        Log.LogInformation("{Genotype}", genotype);
        return report with { Genotype = genotype };
    }

    protected override void SaveState(CheckpointWriter writer)
    {
        if (_space is not null)
        {
            (float[] normal, float[] reduce) = _space.GetState();
            writer.SetValue(AlphaValue, new[] { normal, reduce });
        }
        else
        {
            writer.SetValue(AlphaValue, _choices!.GetState());
        }
        base.SaveState(writer);
    }

    protected override void LoadState(Checkpoint checkpoint)
    {
        try
        {
            float[][] alpha = checkpoint.Metadata.GetValue<float[][]>(AlphaValue);
            if (_space is not null)
            {
                if (alpha.Length != 2) throw new ArgumentException($"expected alpha of 2 cell types, found {alpha.Length}");
                _space.LoadState(alpha[0], alpha[1]);
            }
            else
            {
                _choices!.LoadState(alpha);
            }
        }
        catch (Exception ex) when (ex is ArgumentException or KeyNotFoundException or System.Text.Json.JsonException)
        {
            throw new CheckpointException(checkpoint.Path, $"its DARTS alpha is missing or does not fit: {ex.Message}", ex);
        }

        base.LoadState(checkpoint);
    }

    private SearchResult Result(TrainingOutcome outcome)
    {
        if (_space is null) return Result(outcome, null, space: null) with { Architecture = ChoiceArchitecture() };
        Genotype genotype = _space.DeriveGenotype();
        return Result(outcome, genotype, space: null) with { Architecture = CellArchitecture(genotype) };
    }

    private ChoiceArchitecture ChoiceArchitecture() =>
        new(_choices!.Picks().Select(p => new ArchitectureChoice(p.Key, p.Picks, p.Weights)), "alpha");

    /// <summary>
    /// The DARTS cell genotype as an architecture of the cell space's decisions ("normal/0" ..): per node the candidates
    /// <c>predecessor * K + operation</c> (K the operations without <c>none</c>, as the two-stage cell space numbers
    /// them), each scored by its edge's softmax weight of that operation.
    /// </summary>
    private ChoiceArchitecture CellArchitecture(Genotype genotype)
    {
        DartsSearchSpace space = _space!;
        List<string> operations = [.. Context.SearchSpace.Operations];
        List<string> dense = [.. space.Operations];
        var choices = new List<ArchitectureChoice>();
        foreach (CellType cell in new[] { CellType.Normal, CellType.Reduce })
        {
            double[] w;
            using (no_grad())
            using (NewDisposeScope())
                w = nn.functional.softmax(space.Alpha(cell).detach().to(float64), -1).cpu().data<double>().ToArray();
            IReadOnlyList<GenotypeEdge> edges = cell == CellType.Normal ? genotype.Normal : genotype.Reduce;
            int start = 0;
            for (int i = 0; i < space.Nodes; i++)
            {
                var picks = edges.Skip(i * genotype.EdgesPerNode).Take(genotype.EdgesPerNode)
                    .Select(e => (Candidate: CandidateIndex.Of(e.Input, operations.IndexOf(e.Operation), operations.Count),
                                  Weight: w[((start + e.Input) * dense.Count) + dense.IndexOf(e.Operation)]))
                    .OrderBy(p => p.Candidate).ToArray();
                choices.Add(new ArchitectureChoice(NodeKeys.Of(cell, i), [.. picks.Select(p => p.Candidate)], [.. picks.Select(p => p.Weight)]));
                start += i + 2;
            }
        }
        return new ChoiceArchitecture(choices, "alpha");
    }

    public override void Dispose()
    {
        base.Dispose();
        _space?.Dispose();
        _choices?.Dispose();
    }
}
