using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IstaNas.Tests.DependencyInjection;

/// <summary>A typo in the IstaNas configuration section stops the host at start with the key named, instead of leaving the defaults.</summary>
public class ConfigurationTypoTests
{
    [Theory]
    [InlineData("IstaNas:TwoStage:Epoch", "'IstaNas:TwoStage:Epoch'", "Did you mean 'Epochs'?")]
    [InlineData("IstaNas:TwoStag:Epochs", "'IstaNas:TwoStag'", "Did you mean 'TwoStage'?")]
    [InlineData("IstaNas:Evaluation:NoSuchSetting", "'IstaNas:Evaluation:NoSuchSetting'", "is not a setting of EvaluationOptions")]
    [InlineData("IstaNas:Telemetry:On", "'IstaNas:Telemetry'", "is not an IstaNas section")]
    public async Task AnUnknownKeyOrAMisspeltSectionStopsTheHostNamingTheKey(string key, string named, string hint)
    {
        InvalidOperationException ex = await IstaNasHost.StartFails<InvalidOperationException>(key, "3");
        Assert.Contains(named, ex.Message);
        Assert.Contains(hint, ex.Message);
    }

    [Fact]
    public async Task KnownKeysInAnyCaseStillStartTheHost()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["IstaNas:twostage:epochs"] = "3",
            ["IstaNas:SearchSpace:Operations:0"] = "sep_conv_3x3",
            ["IstaNas:SearchSpace:Operations:1"] = "skip_connect",
        });
        builder.Services.AddIstaNas(builder.Configuration.GetSection("IstaNas"));
        using IHost host = builder.Build();
        await host.StartAsync();
        Assert.Equal(3, host.Services.GetRequiredService<IOptions<IstaNas.Strategies.TwoStageOptions>>().Value.Epochs);
        await host.StopAsync();
    }

    [Fact]
    public void WithoutAHostTheFirstUseOfAnyOptionsNamesTheKey()
    {
        var services = new ServiceCollection();
        services.AddIstaNas(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["IstaNas:Darts:BatchSise"] = "8" }).Build().GetSection("IstaNas"));
        using ServiceProvider provider = services.BuildServiceProvider();
        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IOptions<IstaNas.SearchSpace.SearchSpaceOptions>>().Value);
        Assert.Contains("'IstaNas:Darts:BatchSise'", ex.Message);
        Assert.Contains("Did you mean 'BatchSize'?", ex.Message);
    }
}
