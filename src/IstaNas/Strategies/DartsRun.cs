using IstaNas.Architecture;
using IstaNas.Checkpoints;
using IstaNas.SearchSpace;
using IstaNas.Training;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace IstaNas.Strategies;

/// <summary>One first-order DARTS search: the bilevel run on the dense DARTS space.</summary>
internal sealed class DartsRun : BilevelRun
{
    private const string AlphaValue = "alpha";

    private DartsSearchSpace _space = null!;

    public DartsRun(SearchContext context, DartsOptions o, ILogger log)
        : base("darts", context, o, o.Architecture, o.TrainPortion, "alpha", log)
    {
        UseSearchSpace(() => [.. _space.ArchitectureWeights(CellType.Normal), .. _space.ArchitectureWeights(CellType.Reduce)], _space.Parameters);
        log.LogInformation(
            "DARTS (first order) on {Dataset} ({Train} images for W, {Valid} for alpha): C={C} L={L} batch {Batch}, {Steps} steps x {Epochs} epochs, K'={K}",
            context.Train.Name, TrainImages, ValidImages, o.Channels, o.Layers, o.BatchSize, StepsPerEpoch, o.Epochs, _space.Operations.Count);
    }

    protected override string ArchitectureOptimizerSection => "alpha-optimizer";

    protected override nn.Module<Tensor, Tensor> CreateSpaceAndNetwork()
    {
        _space = new DartsSearchSpace([.. Context.SearchSpace.Operations], Context.SearchSpace.Nodes, Context.Device);
        return CellSuperNet(DartsSearchSpace.DenseOperations([.. Context.SearchSpace.Operations]));
    }

    protected override EpochReport FinishEpoch(EpochReport report)
    {
        var genotype = _space.DeriveGenotype();
        Log.LogInformation("{Genotype}", genotype);
        return report with { Genotype = genotype };
    }

    protected override void SaveState(CheckpointWriter writer)
    {
        (float[] normal, float[] reduce) = _space.GetState();
        writer.SetValue(AlphaValue, new[] { normal, reduce });
        base.SaveState(writer);
    }

    protected override void LoadState(Checkpoint checkpoint)
    {
        try
        {
            float[][] alpha = checkpoint.Metadata.GetValue<float[][]>(AlphaValue);
            if (alpha.Length != 2) throw new ArgumentException($"expected alpha of 2 cell types, found {alpha.Length}");
            _space.LoadState(alpha[0], alpha[1]);
        }
        catch (Exception ex) when (ex is ArgumentException or KeyNotFoundException or System.Text.Json.JsonException)
        {
            throw new CheckpointException(checkpoint.Path, $"its DARTS alpha is missing or does not fit: {ex.Message}", ex);
        }

        base.LoadState(checkpoint);
    }

    public SearchResult Result(TrainingOutcome outcome) => Result(outcome, _space.DeriveGenotype(), space: null);

    public override void Dispose()
    {
        base.Dispose();
        _space.Dispose();
    }
}
