using IstaNas.SearchSpace;
using IstaNas.SparseCoding;
using IstaNas.Strategies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IstaNas;

/// <summary>Registers IstaNas with Microsoft.Extensions.DependencyInjection.</summary>
public static class IstaNasServiceCollectionExtensions
{
    /// <summary>
    /// Adds the options (validated by their data annotations when first used, and at host start),
    /// the sparse coder and a transient <see cref="SearchBuilder"/> pre-filled from the options.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Optional further set-up of the options.</param>
    /// <returns>A builder to configure the options further.</returns>
    public static IstaNasBuilder AddIstaNas(this IServiceCollection services, Action<IstaNasBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        AddValidated<SearchSpaceOptions>(services);
        AddValidated<SparseCoderOptions>(services);
        AddValidated<TwoStageOptions>(services);
        services.TryAddSingleton<ISparseCoder>(sp => SparseCoder.Create(sp.GetRequiredService<IOptions<SparseCoderOptions>>().Value));
        services.TryAddTransient(sp => new SearchBuilder(
            sp.GetRequiredService<IOptions<SearchSpaceOptions>>().Value,
            sp.GetRequiredService<IOptions<SparseCoderOptions>>().Value,
            sp.GetService<ILoggerFactory>())
            .UseTwoStage(o => CopyTo(sp.GetRequiredService<IOptions<TwoStageOptions>>().Value, o)));
        var builder = new IstaNasBuilder(services);
        configure?.Invoke(builder);
        return builder;
    }

    private static void AddValidated<T>(IServiceCollection services)
        where T : class
    {
        services.AddOptions<T>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<T>, DataAnnotationsOptionsValidator<T>>());
    }

    internal static void CopyTo<T>(T from, T to)
        where T : class
    {
        foreach (var p in typeof(T).GetProperties().Where(p => p.CanRead && p.CanWrite))
            p.SetValue(to, p.GetValue(from));
    }
}

/// <summary>Configures the options that <c>AddIstaNas</c> registered.</summary>
public sealed class IstaNasBuilder
{
    internal IstaNasBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Configures the search space.</summary>
    public IstaNasBuilder ConfigureSearchSpace(Action<SearchSpaceOptions> configure)
    {
        Services.Configure(configure);
        return this;
    }

    /// <summary>Configures the recovery.</summary>
    public IstaNasBuilder ConfigureRecovery(Action<SparseCoderOptions> configure)
    {
        Services.Configure(configure);
        return this;
    }

    /// <summary>Configures the two-stage strategy.</summary>
    public IstaNasBuilder ConfigureTwoStage(Action<TwoStageOptions> configure)
    {
        Services.Configure(configure);
        return this;
    }
}
