using IstaNas.Strategies;

namespace IstaNas.Sample;

/// <summary>Maps --strategy to the builder call.</summary>
internal static class StrategyChoice
{
    public static SearchBuilder Apply(SearchBuilder builder, string strategy, Action<SearchTrainingOptions> configure) => strategy switch
    {
        "two-stage" => builder.UseTwoStage(configure),
        "darts" => builder.UseDarts(configure),
        _ => throw new ArgumentException($"--strategy '{strategy}' is not known; use two-stage, one-stage or darts."),
    };
}
