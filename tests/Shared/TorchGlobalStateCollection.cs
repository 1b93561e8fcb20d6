namespace IstaNas.Tests;

/// <summary>
/// Tests that depend on torch's process-wide default generator staying untouched between their own calls (bit-identical
/// resume). They run alone, after the parallel tests, so that no other test draws from or reseeds the generator meanwhile.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchGlobalStateCollection
{
    public const string Name = "torch global state";
}
