namespace IstaNas.Tests.Strategies;

/// <summary>
/// Tests that seed TorchSharp's global generator and check determinism: run alone, since test classes running in
/// parallel would draw from the same global generator in between.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalRandomCollection
{
    public const string Name = "Global random generator";
}
