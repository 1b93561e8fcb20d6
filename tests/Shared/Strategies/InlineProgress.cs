namespace IstaNas.Tests.Strategies;

/// <summary>Reports synchronously, in order.</summary>
internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
