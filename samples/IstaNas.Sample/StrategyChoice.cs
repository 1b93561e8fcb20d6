using IstaNas.Strategies;

namespace IstaNas.Sample;

/// <summary>Maps --strategy to the builder call.</summary>
internal static class StrategyChoice
{
    public static SearchBuilder Apply(SearchBuilder builder, string strategy, Action<SearchTrainingOptions> configure) => strategy switch
    {
        "two-stage" => builder.UseTwoStage(configure),
        "one-stage" => builder.UseOneStage(o =>
        {
            configure(o);
            // Sized for a 2-core CPU like the rest of the sample; the paper's target settings are the library defaults.
            o.MaxSearchEpochs = Math.Max(1, o.Epochs);
            o.Auxiliary = true;
        }),
        "darts" => builder.UseDarts(configure),
        _ => throw new ArgumentException($"--strategy '{strategy}' is not known; use two-stage, one-stage or darts."),
    };
}
