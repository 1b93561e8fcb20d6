using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// The change token source of an options class bound from configuration that lets through only the reloads that give
/// valid options. <see cref="OptionsMonitor{TOptions}"/> rebuilds its value inside the configuration's reload callback
/// and throws <see cref="OptionsValidationException"/> there when the new value is invalid: out of
/// <c>IConfigurationRoot.Reload()</c> to its caller, or lost on a file watcher's task; either way the monitor has dropped
/// its value, so every later read throws until a valid reload. This source builds and validates the reloaded options
/// first: valid, it signals the monitor,
/// which rebuilds them; invalid, it logs a warning naming the options and the failure and does not signal, so the
/// monitor, and every <c>SearchBuilder</c> made from it, keeps the last valid value until a later reload is valid.
/// </summary>
/// <typeparam name="T">The options class.</typeparam>
internal sealed class ValidReloadTokenSource<T> : IOptionsChangeTokenSource<T>, IDisposable
    where T : class
{
    private readonly IOptionsFactory<T> _factory;
    private readonly ILogger<T> _logger;
    private readonly string _path;
    private readonly IDisposable _subscription;
    private readonly Lock _lock = new();
    private CancellationTokenSource _changed = new();
    private string? _lastFailure;

    /// <summary>Watches <paramref name="section"/>'s reload token.</summary>
    /// <param name="section">The section the options are bound to.</param>
    /// <param name="factory">Builds (binds, configures and validates) the options, as the monitor does.</param>
    /// <param name="logger">Where an invalid reload is reported.</param>
    public ValidReloadTokenSource(IConfigurationSection section, IOptionsFactory<T> factory, ILogger<T> logger)
    {
        _factory = factory;
        _logger = logger;
        _path = section.Path;
        _subscription = ChangeToken.OnChange(section.GetReloadToken, OnReload);
    }

    /// <inheritdoc />
    public string? Name => Microsoft.Extensions.Options.Options.DefaultName;

    /// <inheritdoc />
    public IChangeToken GetChangeToken()
    {
        lock (_lock) return new CancellationChangeToken(_changed.Token);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _subscription.Dispose();
        lock (_lock) _changed.Dispose();
    }

    private void OnReload()
    {
        try
        {
            _factory.Create(Name!);
        }
        catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException)
        {
            // OptionsValidationException: a value the validator refuses; InvalidOperationException: a value the binder
            // cannot convert, or a key that is no setting (ConfigurationKeys). A file provider raises two reloads for one
            // change: the same failure is reported once.
            if (Interlocked.Exchange(ref _lastFailure, ex.Message) == ex.Message) return;
            _logger.LogWarning(
                "The configuration reload gave invalid {Options} (section '{Section}'); the last valid values stay in use until a reload is valid: {Failure}",
                typeof(T).Name, _path, ex.Message);
            return;
        }
        Volatile.Write(ref _lastFailure, null);
        CancellationTokenSource fired;
        lock (_lock)
        {
            fired = _changed;
            _changed = new CancellationTokenSource();
        }
        // Not disposed: a monitor may still register on the token it handed out (as ConfigurationReloadToken does).
        fired.Cancel();
    }
}
