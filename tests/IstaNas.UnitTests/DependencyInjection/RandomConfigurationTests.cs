using IstaNas.Strategies;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IstaNas.Tests.DependencyInjection;

/// <summary>The random baseline's options arrive from a <c>Random</c> section and from <c>ConfigureRandom</c>, into the builder's <c>UseRandom</c>.</summary>
public class RandomConfigurationTests
{
    [Fact]
    public void TheRandomSectionAndConfigureRandomReachTheBuildersRandomStrategy()
    {
        var services = new ServiceCollection();
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["IstaNas:Random:WeightSharing"] = "true",
            ["IstaNas:Random:Candidates"] = "7",
        }).Build();
        services.AddIstaNas(configuration.GetSection("IstaNas"), b => b.ConfigureRandom(o => o.CalibrationBatches = 3));
        using ServiceProvider provider = services.BuildServiceProvider();
        Search search = provider.GetRequiredService<SearchBuilder>().UseSyntheticDataset(64).UseRandom(o => o.Epochs = 2).Build();
        RandomOptions o = Assert.IsType<BuiltInStrategy<RandomOptions>>(search.Strategy).Options;
        Assert.Equal((true, 7, 3, 2), (o.WeightSharing, o.Candidates, o.CalibrationBatches, o.Epochs));
        Assert.Equal("random", search.Strategy.Name);

        var bad = new ServiceCollection();
        bad.AddIstaNas(b => b.ConfigureRandom(r => r.Candidates = 0));
        using ServiceProvider badProvider = bad.BuildServiceProvider();
        Assert.Contains("Candidates", Assert.Throws<OptionsValidationException>(() => badProvider.GetRequiredService<IOptions<RandomOptions>>().Value).Message);
    }
}
