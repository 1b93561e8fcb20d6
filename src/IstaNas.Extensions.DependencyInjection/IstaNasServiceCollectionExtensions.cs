using IstaNas;
using IstaNas.Evaluation;
using IstaNas.SearchSpace;
using IstaNas.SparseCoding;
using IstaNas.Strategies;
using IstaNas.Validation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers IstaNas with Microsoft.Extensions.DependencyInjection.</summary>
public static class IstaNasServiceCollectionExtensions
{
    /// <summary>The configuration sections under the IstaNas section and their options classes.</summary>
    private static readonly Dictionary<string, Type> Sections = new(StringComparer.OrdinalIgnoreCase)
    {
        ["SearchSpace"] = typeof(SearchSpaceOptions), ["SparseCoder"] = typeof(SparseCoderOptions), ["TwoStage"] = typeof(TwoStageOptions),
        ["OneStage"] = typeof(OneStageOptions), ["Darts"] = typeof(DartsOptions), ["Random"] = typeof(RandomOptions), ["Evaluation"] = typeof(EvaluationOptions),
    };

    /// <summary>
    /// Adds every IstaNas options class (validated by the library's own validator, its data annotations and cross-field
    /// rules, when first used and at host start with <c>ValidateOnStart</c>) and a transient <see cref="SearchBuilder"/>
    /// pre-filled from the options' current values. A search makes its sparse coder from <see cref="SparseCoderOptions"/>,
    /// so no coder is registered.
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
        AddValidated<SearchSpaceOptions>(services, "SearchSpace");
        AddValidated<SparseCoderOptions>(services, "SparseCoder");
        AddValidated<TwoStageOptions>(services, "TwoStage");
        AddValidated<OneStageOptions>(services, "OneStage");
        AddValidated<DartsOptions>(services, "Darts");
        AddValidated<RandomOptions>(services, "Random");
        AddValidated<EvaluationOptions>(services, "Evaluation");
        services.TryAddTransient(sp =>
        {
            // Each builder starts from the options' current values (IOptionsMonitor: a configuration reload reaches the
            // next builder) and gets its own copies, so a builder's Configure calls never change the bound options.
            var builder = new SearchBuilder(sp.GetService<ILoggerFactory>() ?? Logging.Abstractions.NullLoggerFactory.Instance);
            builder.ConfigureSearchSpace(o => OptionsCopy.Into(Current<SearchSpaceOptions>(sp), o))
                .ConfigureSparseCoder(o => OptionsCopy.Into(Current<SparseCoderOptions>(sp), o))
                .ConfigureTwoStage(o => OptionsCopy.Into(Current<TwoStageOptions>(sp), o))
                .ConfigureOneStage(o => OptionsCopy.Into(Current<OneStageOptions>(sp), o))
                .ConfigureDarts(o => OptionsCopy.Into(Current<DartsOptions>(sp), o))
                .ConfigureRandom(o => OptionsCopy.Into(Current<RandomOptions>(sp), o));
            return builder;
        });
        var istaNas = new IstaNasBuilder(services);
        configure?.Invoke(istaNas);
        return istaNas;
    }

    private static T Current<T>(IServiceProvider services)
        where T : class => services.GetRequiredService<IOptionsMonitor<T>>().CurrentValue;

    /// <summary>
    /// Adds IstaNas as <see cref="AddIstaNas(IServiceCollection)"/> does and binds every options class
    /// from a configuration section: <c>SearchSpace</c>, <c>SparseCoder</c>, <c>TwoStage</c>, <c>OneStage</c>, <c>Darts</c>, <c>Random</c> and
    /// <c>Evaluation</c> under <paramref name="configuration"/> (for example <c>configuration.GetSection("IstaNas")</c>).
    /// A list in the configuration (<c>SearchSpace:Operations</c>) replaces the default list instead of adding to it. A key
    /// under the section that is not one of these sections or a setting of its options class (a typo such as
    /// <c>TwoStage:Epoch</c>) is an <see cref="InvalidOperationException"/> naming it when the options are first used (at
    /// host start, with <c>ValidateOnStart</c>). The options are bound with <c>OptionsBuilder&lt;T&gt;.Bind</c>, so a reload of
    /// the configuration reaches <see cref="IOptionsMonitor{TOptions}"/> and every <see cref="SearchBuilder"/> made after it; a
    /// value set with a <c>Configure…</c> delegate of <see cref="IstaNasBuilder"/> is applied after the binding, also after a reload.
    /// A reload that makes an options class invalid (a value the validator refuses or the binder cannot convert, an unknown
    /// key) throws nothing: it is logged as a warning (category: the options class) naming the options and the failure,
    /// and <see cref="IOptionsMonitor{TOptions}"/> and the next builders keep the last valid values until a reload is
    /// valid again. An invalid value at start still fails at start.
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
        BindSection<SearchSpaceOptions>(services, configuration, "SearchSpace");
        BindSection<SparseCoderOptions>(services, configuration, "SparseCoder");
        BindSection<TwoStageOptions>(services, configuration, "TwoStage");
        BindSection<OneStageOptions>(services, configuration, "OneStage");
        BindSection<DartsOptions>(services, configuration, "Darts");
        BindSection<RandomOptions>(services, configuration, "Random");
        BindSection<EvaluationOptions>(services, configuration, "Evaluation");
        return AddCore(services, configure);
    }

    /// <summary>Validates <typeparamref name="T"/> with the library's validator when first used and at host start.</summary>
    private static void AddValidated<T>(IServiceCollection services, string section)
        where T : class
    {
        services.AddOptions<T>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<T>>(new IstaNasOptionsValidator<T>(section)));
    }

    /// <summary>
    /// Binds <typeparamref name="T"/> to its section with <see cref="OptionsBuilderConfigurationExtensions.Bind{TOptions}(OptionsBuilder{TOptions}, IConfiguration)"/>
    /// (so the section's reload token reaches <see cref="IOptionsMonitor{TOptions}"/>), after two steps that run each time the
    /// options are made: a check that no key under the IstaNas section is unknown (so a typo stops the host at start,
    /// through <c>ValidateOnStart</c>, instead of leaving a default in place), and emptying each list that the section sets,
    /// because the binder appends bound items to a list that holds defaults (<c>Operations: [a, b]</c> would become the 7
    /// defaults plus a, b). Neither step touches a value the section does not set, so a value set by a <c>Configure</c>
    /// delegate registered before survives, and one registered after (<see cref="IstaNasBuilder"/>) wins.
    /// </summary>
    private static void BindSection<T>(IServiceCollection services, IConfiguration configuration, string name)
        where T : class
    {
        IConfigurationSection section = configuration.GetSection(name);
        services.AddOptions<T>()
            .Configure(o =>
            {
                ConfigurationKeys.Check(configuration, Sections);
                foreach (var p in typeof(T).GetProperties().Where(p => p.CanWrite && p.PropertyType == typeof(IList<string>)))
                    if (section.GetSection(p.Name).Exists()) p.SetValue(o, new List<string>());
            })
            .Bind(section);
        GuardReloads<T>(services, section);
    }

    /// <summary>
    /// Replaces the change token source that <c>Bind</c> just registered for <paramref name="section"/> by a
    /// <see cref="ValidReloadTokenSource{T}"/>: a reload that makes <typeparamref name="T"/> invalid is logged and the last
    /// valid value kept, instead of an <see cref="OptionsValidationException"/> thrown from the reload callback.
    /// </summary>
    private static void GuardReloads<T>(IServiceCollection services, IConfigurationSection section)
        where T : class
    {
        ServiceDescriptor bound = services.LastOrDefault(d => d.ServiceType == typeof(IOptionsChangeTokenSource<T>)
                && d.ImplementationInstance is ConfigurationChangeTokenSource<T> { Name: var name } && name == Options.Options.DefaultName)
            ?? throw new InvalidOperationException($"OptionsBuilder<{typeof(T).Name}>.Bind registered no ConfigurationChangeTokenSource<{typeof(T).Name}>, so IstaNas cannot guard its reloads.");
        services.Remove(bound);
        services.AddSingleton<IOptionsChangeTokenSource<T>>(sp => new ValidReloadTokenSource<T>(
            section, sp.GetRequiredService<IOptionsFactory<T>>(),
            (sp.GetService<ILoggerFactory>() ?? Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger<T>()));
    }
}
