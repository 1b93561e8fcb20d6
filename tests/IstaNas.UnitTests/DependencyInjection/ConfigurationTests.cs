using System.Collections;
using System.Globalization;
using IstaNas.Evaluation;
using IstaNas.SearchSpace;
using IstaNas.SparseCoding;
using IstaNas.Strategies;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IstaNas.Tests.DependencyInjection;

/// <summary>services.AddIstaNas(configuration) as Microsoft.Extensions users expect it.</summary>
public class ConfigurationTests
{
    private static readonly (string Section, Type Type)[] Sections =
    [
        ("SearchSpace", typeof(SearchSpaceOptions)), ("SparseCoder", typeof(SparseCoderOptions)), ("TwoStage", typeof(TwoStageOptions)),
        ("OneStage", typeof(OneStageOptions)), ("Darts", typeof(DartsOptions)), ("Random", typeof(RandomOptions)), ("Evaluation", typeof(EvaluationOptions)),
    ];

    /// <summary>A valid value different from the default for every settable property (nested options too), as configuration strings.</summary>
    private static Dictionary<string, string?> Changed(out Dictionary<string, object?> expected)
    {
        var config = new Dictionary<string, string?>();
        expected = [];
        foreach (var (section, type) in Sections)
            Fill(config, expected, $"IstaNas:{section}", section, Activator.CreateInstance(type)!);
        return config;
    }

    private static void Fill(Dictionary<string, string?> config, Dictionary<string, object?> expected, string key, string path, object defaults)
    {
        foreach (var p in defaults.GetType().GetProperties().Where(p => p.CanWrite))
        {
            object? d = p.GetValue(defaults);
            Type t = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            if (t.IsClass && t != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(t))
            {
                Fill(config, expected, $"{key}:{p.Name}", $"{path}.{p.Name}", d!);
                continue;
            }

            object value = t switch
            {
                _ when t == typeof(int) => d is int i ? (p.Name == "Sparsity" ? 3 : i + 1) : 7,
                _ when t == typeof(long) => 42L,
                _ when t == typeof(double) => d is double x ? x / 2 : 1.5,
                _ when t == typeof(bool) => !(bool)d!,
                _ when t == typeof(string) => "/tmp/istanas-bound",
                _ when t.IsEnum => Enum.GetValues(t).Cast<object>().First(v => !v.Equals(d)),
                _ when t == typeof(IList<string>) => new List<string> { "sep_conv_3x3", "skip_connect" },
                _ when t == typeof(IDictionary<string, int>) => new Dictionary<string, int>(StringComparer.Ordinal) { ["layer0"] = 2, ["1<-0"] = 3 },
                _ => throw new InvalidOperationException($"{path}.{p.Name}: add a value of type {t.Name} to this test."),
            };
            expected[$"{path}.{p.Name}"] = value;
            if (value is IDictionary<string, int> map)
            {
                foreach (var (name, m) in map) config[$"{key}:{p.Name}:{name}"] = m.ToString(CultureInfo.InvariantCulture);
            }
            else if (value is IList list)
            {
                for (int k = 0; k < list.Count; k++) config[$"{key}:{p.Name}:{k}"] = (string)list[k]!;
            }
            else
            {
                config[$"{key}:{p.Name}"] = Convert.ToString(value, CultureInfo.InvariantCulture);
            }
        }
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    [Fact]
    public void EveryValueOfEveryOptionsClassArrivesFromConfiguration()
    {
        var services = new ServiceCollection();
        services.AddIstaNas(Configuration(Changed(out var expected)).GetSection("IstaNas"));
        using ServiceProvider provider = services.BuildServiceProvider();
        foreach (var (section, type) in Sections)
        {
            Type options = typeof(IOptions<>).MakeGenericType(type);
            object bound = options.GetProperty(nameof(IOptions<object>.Value))!.GetValue(provider.GetRequiredService(options))!;
            Check(expected, section, bound);
        }
    }

    private static void Check(Dictionary<string, object?> expected, string path, object bound)
    {
        foreach (var p in bound.GetType().GetProperties().Where(p => p.CanWrite))
        {
            object? got = p.GetValue(bound);
            if (!expected.TryGetValue($"{path}.{p.Name}", out object? want))
            {
                Check(expected, $"{path}.{p.Name}", got!);
                continue;
            }

            if (want is IDictionary<string, int> map) Assert.Equal(map.OrderBy(e => e.Key, StringComparer.Ordinal), ((IDictionary<string, int>)got!).OrderBy(e => e.Key, StringComparer.Ordinal));
            else if (want is IList list) Assert.Equal(list.Cast<object>(), ((IList)got!).Cast<object>());
            else Assert.True(Equals(want, got), $"{path}.{p.Name}: configured {want}, bound {got}");
        }
    }

    [Fact]
    public void AConfiguredListReplacesTheDefaultListInsteadOfAddingToIt()
    {
        var services = new ServiceCollection();
        services.AddIstaNas(Configuration(new()
        {
            ["IstaNas:SearchSpace:Operations:0"] = "sep_conv_3x3",
            ["IstaNas:SearchSpace:Operations:1"] = "max_pool_3x3",
        }).GetSection("IstaNas"));
        using ServiceProvider provider = services.BuildServiceProvider();
        Assert.Equal(["sep_conv_3x3", "max_pool_3x3"], provider.GetRequiredService<IOptions<SearchSpaceOptions>>().Value.Operations);
    }

    [Fact]
    public void TheBuilderFromDependencyInjectionStartsFromTheBoundValuesAndAConfigureCallChangesOnlyWhatItSets()
    {
        var services = new ServiceCollection();
        services.AddIstaNas(Configuration(new()
        {
            ["IstaNas:TwoStage:Channels"] = "6",
            ["IstaNas:TwoStage:TrainPortion"] = "0.75",
            ["IstaNas:SearchSpace:ProjectionDims"] = "9",
            ["IstaNas:OneStage:Epsilon"] = "0.01",
        }).GetSection("IstaNas"), b => b.ConfigureTwoStage(o => o.Layers = 4));
        using ServiceProvider provider = services.BuildServiceProvider();
        Search twoStage = provider.GetRequiredService<SearchBuilder>().UseSyntheticDataset(64).UseTwoStage(o => o.Epochs = 2).Build();
        TwoStageOptions o = Assert.IsType<BuiltInStrategy<TwoStageOptions>>(twoStage.Strategy).Options;
        Assert.Equal((6, 0.75, 4, 2), (o.Channels, o.TrainPortion, o.Layers, o.Epochs));
        Assert.Equal(9, twoStage.Context.SearchSpace.ProjectionDims);
        Search oneStage = provider.GetRequiredService<SearchBuilder>().UseSyntheticDataset(64).UseOneStage().Build();
        Assert.Equal(0.01, Assert.IsType<BuiltInStrategy<OneStageOptions>>(oneStage.Strategy).Options.Epsilon);
        // The bound options themselves are not changed by a builder's Configure calls.
        Assert.Equal(50, provider.GetRequiredService<IOptions<TwoStageOptions>>().Value.Epochs);
    }

    [Fact]
    public async Task ValidateOnStartStopsAHostWithAnInvalidBoundValueNamingIt()
    {
        var ex = await IstaNasHost.StartFails<OptionsValidationException>("IstaNas:Darts:BatchSize", "0");
        Assert.Contains("BatchSize", ex.Message);
    }

    [Fact]
    public void ValidatedOptionsAndABuilderAreRegisteredAndNoCoderTheSearchesWouldNotUse()
    {
        var services = new ServiceCollection();
        services.AddIstaNas(b => b.ConfigureSearchSpace(s => s.ProjectionDims = 9).ConfigureTwoStage(o => o.Epochs = 3));
        using ServiceProvider provider = services.BuildServiceProvider();
        Assert.Equal(9, provider.GetRequiredService<IOptions<SearchSpaceOptions>>().Value.ProjectionDims);
        Assert.Null(provider.GetService<ISparseCoder>()); // a search makes its coder from SparseCoderOptions
        Search search = provider.GetRequiredService<SearchBuilder>().UseSyntheticDataset(64).Build();
        Assert.Equal(3, Assert.IsType<BuiltInStrategy<TwoStageOptions>>(search.Strategy).Options.Epochs);

        var bad = new ServiceCollection();
        bad.AddIstaNas(b => b.ConfigureSearchSpace(s => s.Sparsity = 0));
        using ServiceProvider badProvider = bad.BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => badProvider.GetRequiredService<IOptions<SearchSpaceOptions>>().Value);
        Assert.Contains("Sparsity", ex.Message);
    }
}
