using IstaNas.Evaluation;
using IstaNas.SearchSpace;
using IstaNas.SparseCoding;
using IstaNas.Strategies;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures the options that <c>AddIstaNas</c> registered (applied after any configuration binding).</summary>
public sealed class IstaNasBuilder
{
    internal IstaNasBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Configures the search space.</summary>
    public IstaNasBuilder ConfigureSearchSpace(Action<SearchSpaceOptions> configure) => Configure(configure);

    /// <summary>Configures the recovery (sparse coding).</summary>
    public IstaNasBuilder ConfigureSparseCoder(Action<SparseCoderOptions> configure) => Configure(configure);

    /// <summary>Configures the two-stage strategy.</summary>
    public IstaNasBuilder ConfigureTwoStage(Action<TwoStageOptions> configure) => Configure(configure);

    /// <summary>Configures the one-stage strategy.</summary>
    public IstaNasBuilder ConfigureOneStage(Action<OneStageOptions> configure) => Configure(configure);

    /// <summary>Configures the DARTS baseline.</summary>
    public IstaNasBuilder ConfigureDarts(Action<DartsOptions> configure) => Configure(configure);

    /// <summary>Configures the random baseline.</summary>
    public IstaNasBuilder ConfigureRandom(Action<RandomOptions> configure) => Configure(configure);

    /// <summary>Configures the evaluation trainer's options.</summary>
    public IstaNasBuilder ConfigureEvaluation(Action<EvaluationOptions> configure) => Configure(configure);

    private IstaNasBuilder Configure<T>(Action<T> configure)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure(configure);
        return this;
    }
}
