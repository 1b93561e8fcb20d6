using IstaNas;
using IstaNas.Evaluation;
using IstaNas.SearchSpace;
using IstaNas.SparseCoding;
using IstaNas.Strategies;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers IstaNas with Microsoft.Extensions.DependencyInjection.</summary>
public static class IstaNasServiceCollectionExtensions
{
    /// <summary>
    /// Adds every IstaNas options class (validated by its data annotations when first used, and at host start with
    /// <c>ValidateOnStart</c>), the sparse coder and a transient <see cref="SearchBuilder"/> pre-filled from the options.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder to configure the options further.</returns>
    public static IstaNasBuilder AddIstaNas(this IServiceCollection services) => AddCore(services, null);

    /// <summary>Adds IstaNas as <see cref="AddIstaNas(IServiceCollection)"/> does, then configures the options.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Further set-up of the options.</param>
    /// <returns>A builder to configure the options further.</returns>
    public static IstaNasBuilder AddIstaNas(this IServiceCollection services, Action<IstaNasBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return AddCore(services, configure);
    }

    private static IstaNasBuilder AddCore(IServiceCollection services, Action<IstaNasBuilder>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        AddValidated<SearchSpaceOptions>(services);
        AddValidated<SparseCoderOptions>(services);
        AddValidated<TwoStageOptions>(services);
        AddValidated<OneStageOptions>(services);
        AddValidated<DartsOptions>(services);
        AddValidated<RandomOptions>(services);
        AddValidated<EvaluationOptions>(services);
        services.TryAddSingleton<ISparseCoder>(sp => SparseCoder.Create(sp.GetRequiredService<IOptions<SparseCoderOptions>>().Value));
        services.TryAddTransient(sp =>
        {
            var builder = new SearchBuilder(sp.GetService<ILoggerFactory>() ?? Logging.Abstractions.NullLoggerFactory.Instance);
            builder.ConfigureSearchSpace(o => OptionsCopy.Into(sp.GetRequiredService<IOptions<SearchSpaceOptions>>().Value, o))
                .ConfigureSparseCoder(o => OptionsCopy.Into(sp.GetRequiredService<IOptions<SparseCoderOptions>>().Value, o))
                .ConfigureTwoStage(o => OptionsCopy.Into(sp.GetRequiredService<IOptions<TwoStageOptions>>().Value, o))
                .ConfigureOneStage(o => OptionsCopy.Into(sp.GetRequiredService<IOptions<OneStageOptions>>().Value, o))
                .ConfigureDarts(o => OptionsCopy.Into(sp.GetRequiredService<IOptions<DartsOptions>>().Value, o))
                .ConfigureRandom(o => OptionsCopy.Into(sp.GetRequiredService<IOptions<RandomOptions>>().Value, o));
            return builder;
        });
        var istaNas = new IstaNasBuilder(services);
        configure?.Invoke(istaNas);
        return istaNas;
    }

    /// <summary>
    /// Adds IstaNas as <see cref="AddIstaNas(IServiceCollection)"/> does and binds every options class
    /// from a configuration section: <c>SearchSpace</c>, <c>SparseCoder</c>, <c>TwoStage</c>, <c>OneStage</c>, <c>Darts</c>, <c>Random</c> and
    /// <c>Evaluation</c> under <paramref name="configuration"/> (for example <c>configuration.GetSection("IstaNas")</c>).
    /// A list in the configuration (<c>SearchSpace:Operations</c>) replaces the default list instead of adding to it. A key
    /// under the section that is not one of these sections or a setting of its options class (a typo such as
    /// <c>TwoStage:Epoch</c>) is an <see cref="InvalidOperationException"/> naming it when the options are first used (at
    /// host start, with <c>ValidateOnStart</c>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding the IstaNas settings.</param>
    /// <returns>A builder to configure the options further.</returns>
    public static IstaNasBuilder AddIstaNas(this IServiceCollection services, IConfiguration configuration) => Bind(services, configuration, null);

    /// <summary>Binds the options from configuration as <see cref="AddIstaNas(IServiceCollection, IConfiguration)"/> does, then configures them.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding the IstaNas settings.</param>
    /// <param name="configure">Further set-up of the options, applied after binding.</param>
    /// <returns>A builder to configure the options further.</returns>
    public static IstaNasBuilder AddIstaNas(this IServiceCollection services, IConfiguration configuration, Action<IstaNasBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return Bind(services, configuration, configure);
    }

    private static IstaNasBuilder Bind(IServiceCollection services, IConfiguration configuration, Action<IstaNasBuilder>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var sections = new Dictionary<string, Type>
        {
            ["SearchSpace"] = typeof(SearchSpaceOptions), ["SparseCoder"] = typeof(SparseCoderOptions), ["TwoStage"] = typeof(TwoStageOptions),
            ["OneStage"] = typeof(OneStageOptions), ["Darts"] = typeof(DartsOptions), ["Random"] = typeof(RandomOptions), ["Evaluation"] = typeof(EvaluationOptions),
        };
        Bind<SearchSpaceOptions>(services, configuration, sections);
        Bind<SparseCoderOptions>(services, configuration, sections);
        Bind<TwoStageOptions>(services, configuration, sections);
        Bind<OneStageOptions>(services, configuration, sections);
        Bind<DartsOptions>(services, configuration, sections);
        Bind<RandomOptions>(services, configuration, sections);
        Bind<EvaluationOptions>(services, configuration, sections);
        return AddCore(services, configure);
    }

    private static void AddValidated<T>(IServiceCollection services)
        where T : class =>
        services.AddOptions<T>().ValidateDataAnnotations().ValidateOnStart();

    /// <summary>Binds <typeparamref name="T"/> from its section, after checking that no key under the IstaNas section is unknown
    /// (so a typo stops the host at start, through <c>ValidateOnStart</c>, instead of leaving a default in place).</summary>
    private static void Bind<T>(IServiceCollection services, IConfiguration configuration, Dictionary<string, Type> sections)
        where T : class
    {
        IConfigurationSection section = configuration.GetSection(sections.Single(s => s.Value == typeof(T)).Key);
        services.AddOptions<T>().Configure(o =>
        {
            ConfigurationKeys.Check(configuration, sections);
            BindReplacingLists(section, o);
        });
    }

    /// <summary>
    /// Binds a section, then sets every list property that the section lists anew: the configuration binder appends
    /// bound items to a list that already holds defaults, which would turn "Operations: [a, b]" into the 7 defaults plus a, b.
    /// </summary>
    private static void BindReplacingLists<T>(IConfigurationSection section, T options)
        where T : class
    {
        section.Bind(options);
        foreach (var p in typeof(T).GetProperties().Where(p => p.CanWrite && p.PropertyType == typeof(IList<string>)))
        {
            IConfigurationSection list = section.GetSection(p.Name);
            if (list.Exists()) p.SetValue(options, list.GetChildren().Select(c => c.Value ?? string.Empty).ToList());
        }
    }
}
