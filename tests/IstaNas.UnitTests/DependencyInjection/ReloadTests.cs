using IstaNas.SearchSpace;
using IstaNas.Strategies;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IstaNas.Tests.DependencyInjection;

/// <summary>
/// The options are bound with <c>OptionsBuilder.Bind</c>: a configuration reload reaches <see cref="IOptionsMonitor{TOptions}"/>
/// and the next builder, a value set by a <c>Configure</c> delegate survives binding and reloads, and a typo still stops the host.
/// </summary>
public class ReloadTests
{
    private static IConfigurationRoot Configuration(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    [Fact]
    public void AReloadFiresTheChangeTokenAndReachesTheMonitorAndTheNextBuilder()
    {
        IConfigurationRoot configuration = Configuration(new() { ["IstaNas:TwoStage:Epochs"] = "5" });
        var services = new ServiceCollection();
        services.AddIstaNas(configuration.GetSection("IstaNas"));
        using ServiceProvider provider = services.BuildServiceProvider();
        var monitor = provider.GetRequiredService<IOptionsMonitor<TwoStageOptions>>();
        Assert.Equal(5, monitor.CurrentValue.Epochs);
        var changes = new List<int>();
        using IDisposable? subscription = monitor.OnChange(o => changes.Add(o.Epochs));

        configuration["IstaNas:TwoStage:Epochs"] = "9";
        configuration.Reload();

        Assert.Equal([9], changes);
        Assert.Equal(9, monitor.CurrentValue.Epochs);
        Search search = provider.GetRequiredService<SearchBuilder>().UseSyntheticDataset(64).Build();
        Assert.Equal(9, Assert.IsType<BuiltInStrategy<TwoStageOptions>>(search.Strategy).Options.Epochs);
    }

    [Fact]
    public void AValueSetByAConfigureDelegateOrBoundSurvivesBindingBuildersAndReloads()
    {
        IConfigurationRoot configuration = Configuration(new()
        {
            ["IstaNas:TwoStage:Epochs"] = "5",
            ["IstaNas:SearchSpace:Operations:0"] = "sep_conv_3x3",
            ["IstaNas:SearchSpace:Operations:1"] = "skip_connect",
        });
        var services = new ServiceCollection();
        services.Configure<TwoStageOptions>(o => o.BatchSize = 32); // the user's own, before AddIstaNas
        services.AddIstaNas(configuration.GetSection("IstaNas"), b => b.ConfigureTwoStage(o => o.Channels = 6).ConfigureSearchSpace(s => s.ProjectionDims = 3));
        using ServiceProvider provider = services.BuildServiceProvider();
        var monitor = provider.GetRequiredService<IOptionsMonitor<TwoStageOptions>>();

        for (int reload = 0; reload < 2; reload++)
        {
            TwoStageOptions bound = monitor.CurrentValue;
            Assert.Equal((5, 32, 6), (bound.Epochs, bound.BatchSize, bound.Channels));
            SearchSpaceOptions space = provider.GetRequiredService<IOptionsMonitor<SearchSpaceOptions>>().CurrentValue;
            Assert.Equal(["sep_conv_3x3", "skip_connect"], space.Operations); // the bound list, not the defaults plus it
            Assert.Equal(3, space.ProjectionDims);

            // A builder's own Configure calls change its copies, never the bound options.
            Search search = provider.GetRequiredService<SearchBuilder>().UseSyntheticDataset(64).UseTwoStage(o => o.Layers = 4).Build();
            TwoStageOptions used = Assert.IsType<BuiltInStrategy<TwoStageOptions>>(search.Strategy).Options;
            Assert.Equal((5, 32, 6, 4), (used.Epochs, used.BatchSize, used.Channels, used.Layers));
            Assert.Equal(8, monitor.CurrentValue.Layers);
            configuration.Reload();
        }
    }

    [Fact]
    public async Task ATypoKeyStillStopsTheHostAtStart()
    {
        var ex = await IstaNasHost.StartFails<InvalidOperationException>("IstaNas:OneStage:Epsilom", "0.01");
        Assert.Contains("'IstaNas:OneStage:Epsilom'", ex.Message);
        Assert.Contains("Did you mean 'Epsilon'?", ex.Message);
    }

    [Fact]
    public void TheLibrarysValidatorChecksCrossFieldRulesWithTheLibrarysMessages()
    {
        var services = new ServiceCollection();
        services.AddIstaNas(Configuration(new()
        {
            ["IstaNas:TwoStage:LearningRate"] = "0.01",
            ["IstaNas:TwoStage:LearningRateMin"] = "0.1",
            ["IstaNas:TwoStage:Architecture:Beta1"] = "2",
        }).GetSection("IstaNas"));
        using ServiceProvider provider = services.BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TwoStageOptions>>().Value);
        Assert.Contains("TwoStage.LearningRateMin: LearningRateMin (0.1) exceeds LearningRate (0.01). (value: 0.1)", ex.Failures);
        Assert.Contains(ex.Failures, f => f.StartsWith("TwoStage.Architecture.Beta1:", StringComparison.Ordinal) && f.EndsWith("(value: 2)", StringComparison.Ordinal));
    }
}
