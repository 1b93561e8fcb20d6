using System.Globalization;
using System.Reflection;
using IstaNas.SearchSpace;
using IstaNas.Strategies;
using IstaNas.Training;

namespace IstaNas.Cli;

/// <summary>
/// The <c>--preset</c> of <c>search</c>: <c>paper</c> starts from the command the authors published for the strategy
/// (<see cref="TwoStageOptions.Paper"/>, <see cref="OneStageOptions.Paper"/>) and their script's seed; and the one-line
/// summary of the effective settings every search prints.
/// </summary>
internal static class SearchPreset
{
    /// <summary>The only preset name.</summary>
    public const string Paper = "paper";

    /// <summary>The authors' published command of a strategy, and the seed their script defaults to.</summary>
    public static (string Command, int Seed) Published(string strategy) => strategy switch
    {
        "two-stage" => ("iboing/ISTA-NAS README and main_search.sh: python ./tools/train_search.py --batch_size 256 --learning_rate 0.1 --arch_learning_rate 6e-4", 2),
        "one-stage" => ("iboing/ISTA-NAS README and main_search_onestage.sh: python ./tools/train_search_single.py --cutout --auxiliary", 5),
        _ => throw new ArgumentException($"--preset {Paper} applies to the two-stage and one-stage strategies, not {strategy}: the authors published no {strategy} search."),
    };

    /// <summary>Copies the preset's options into the builder's options (every public settable property).</summary>
    public static void Apply(TrainingOptions target)
    {
        TrainingOptions source = target switch
        {
            TwoStageOptions => TwoStageOptions.Paper(),
            OneStageOptions => OneStageOptions.Paper(),
            _ => throw new ArgumentException($"--preset {Paper} has no settings for {target.GetType().Name}."),
        };
        foreach (PropertyInfo property in target.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            if (property is { CanRead: true, CanWrite: true } && property.GetIndexParameters().Length == 0)
                property.SetValue(target, property.GetValue(source));
    }

    /// <summary>The effective settings of a search in one line (what a run with them will do).</summary>
    public static string Describe(string strategy, TrainingOptions o, SearchSpaceOptions space, long seed, string? modelSpace = null)
    {
        var parts = new List<string> { modelSpace is null ? $"{strategy}: C={o.Channels} L={o.Layers} batch {o.BatchSize}" : $"{strategy}: {modelSpace}, batch {o.BatchSize}" };
        string lr = $"SGD lr {N(o.LearningRate)}";
        switch (o)
        {
            case OneStageOptions one:
                parts.Add($"{o.Epochs} training epochs after the search (search cap {(one.MaxSearchEpochs is int cap ? N(cap) : "none")})");
                lr += " held while searching,";
                break;
            default:
                parts.Add($"{o.Epochs} epochs");
                break;
        }

        bool clipsLatent = o is TwoStageOptions { GradClipIncludesLatent: true };
        parts.Add($"W: {lr} cosine to {N(o.LearningRateMin)}, momentum {N(o.Momentum)}, weight decay {N(o.WeightDecay)}, " +
                  $"grad clip {N(o.GradClip)} over {(clipsLatent ? "W and b" : "W")}");
        ArchitectureOptimizerOptions? a = o switch
        {
            TwoStageOptions two => two.Architecture,
            OneStageOptions one => one.Architecture,
            DartsOptions darts => darts.Architecture,
            _ => null,
        };
        if (a is not null)
            parts.Add($"{(o is DartsOptions ? "alpha" : "b")}: Adam lr {N(a.LearningRate)} betas {N(a.Beta1)}/{N(a.Beta2)}, weight decay {N(a.WeightDecay)}");
        switch (o)
        {
            case TwoStageOptions two: parts.Add($"train portion {N(two.TrainPortion)}"); break;
            case DartsOptions darts: parts.Add($"train portion {N(darts.TrainPortion)}"); break;
            case OneStageOptions one:
                parts.Add($"auxiliary {(one.Auxiliary ? N(one.AuxiliaryWeight) : "off")}, drop path {N(one.DropPathProbability)}, epsilon {N(one.Epsilon)}, " +
                          $"budget {(one.ParameterBudgetMillions is double budget ? N(budget) + " M" : "none")}");
                break;
        }

        parts.Add($"augment {(o.Augment ? "on" : "off")}, cutout {(o.Cutout ? N(o.CutoutLength) : "off")}");
        if (o is TwoStageOptions { StepIdleCandidates: var twoIdle }) parts.Add($"idle candidates {(twoIdle ? "stepped" : "frozen")}");
        if (o is OneStageOptions { StepIdleCandidates: var oneIdle }) parts.Add($"idle candidates {(oneIdle ? "stepped" : "frozen")}");
        if (o.MaxStepsPerEpoch is int steps) parts.Add($"at most {N(steps)} steps per epoch");
        parts.Add(modelSpace is null
            ? $"m={space.ProjectionDims} s={space.Sparsity} {space.Matrix.ToString().ToLowerInvariant()} A"
            : $"m=min({space.ProjectionDims}, K-1) per choice, {space.Matrix.ToString().ToLowerInvariant()} A");
        parts.Add($"seed {N(seed)}");
        return string.Join("; ", parts);
    }

    private static string N(double value) => value.ToString("0.##########", CultureInfo.InvariantCulture);
}
