using IstaNas;
using IstaNas.Strategies;
using StrategySample;

// A search with a strategy of its own on a model with choices, on the built-in synthetic images.
SearchResult result = new SearchBuilder()
    .UseSyntheticDataset(count: 256)
    .UseSpace(() => new TinyNet())
    .UseStrategy(new GreedyStrategy(steps: 10))
    .UseSeed(1)
    .Build()
    .Run();
Console.Write(result.Architecture);
using var fixedNet = result.Architecture!.Fix(new TinyNet());
Console.WriteLine($"fixed network with {fixedNet.parameters().Sum(p => p.numel())} parameters");
