using System.Diagnostics;
using IstaNas.Architecture;
using IstaNas.Choices;
using IstaNas.Networks;
using IstaNas.Strategies;
using TorchSharp;
using static TorchSharp.torch;

namespace StrategySample;

/// <summary>
/// A small strategy of its own: train the super-net with every candidate of every choice weighted 1/K (a uniform
/// mixture), then fix the choices one by one, in order, to the candidates that give the lowest loss on held-out images
/// while the choices not yet decided stay uniform. It uses only the public seams: <see cref="IStrategy"/>,
/// <see cref="SearchContext.CreateSuperNet"/>, <see cref="ISuperNet.SetWeights"/> and <see cref="Architecture"/>.
/// </summary>
/// <param name="steps">Training steps of the uniform super-net.</param>
/// <param name="batchSize">Images per step.</param>
public sealed class GreedyStrategy(int steps = 20, int batchSize = 32) : IStrategy
{
    /// <inheritdoc />
    public string Name => "greedy";

    /// <inheritdoc />
    public SearchResult Run(SearchContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.HasChoiceSpace) throw new NotSupportedException("The greedy strategy searches models with choices (SearchBuilder.UseSpace).");
        var clock = Stopwatch.StartNew();
        torch.random.manual_seed(context.Seed);
        ISuperNet net = context.CreateSuperNet();
        using var module = net.Module;
        var images = context.Train as IstaNas.Data.ImageDataset
            ?? throw new NotSupportedException("The greedy sample reads image data sets (its batches are pixels / 255).");
        (var train, var held) = images.Split(0.8, (int)context.Seed);
        using var optimizer = optim.SGD(net.WeightParameters(), 0.05, 0.9);
        var random = new Random((int)context.Seed);
        var picked = new int[]?[net.Decisions.Count];

        module.train();
        for (int step = 0; step < steps && !cancellationToken.IsCancellationRequested; step++)
        {
            using var scope = NewDisposeScope();
            (Tensor x, Tensor y) = Batch(train, random);
            SetWeights(net, picked);
            optimizer.zero_grad();
            Tensor loss = nn.functional.cross_entropy(net.forward(x), y);
            loss.backward();
            optimizer.step();
        }

        module.eval();
        (Tensor hx, Tensor hy) = Batch(held, new Random(1));
        using (hx)
        using (hy)
        using (no_grad())
        {
            for (int k = 0; k < net.Decisions.Count; k++)
            {
                Decision d = net.Decisions[k];
                double[] losses = new double[d.Count];
                for (int j = 0; j < d.Count; j++)
                {
                    using var scope = NewDisposeScope();
                    picked[k] = [j];
                    SetWeights(net, picked);
                    losses[j] = nn.functional.cross_entropy(net.forward(hx), hy).item<float>();
                }
                picked[k] = [.. Enumerable.Range(0, d.Count).OrderBy(j => losses[j]).Take(d.Picks).Order()];
            }
        }

        var architecture = new Architecture(net.Decisions.Select((d, k) => new ArchitectureChoice(d.Key, picked[k]!)));
        return new SearchResult { Strategy = Name, Architecture = architecture, History = [], Elapsed = clock.Elapsed };
    }

    /// <summary>Decided choices run their picks with weight 1; the others every candidate with weight 1/K.</summary>
    private static void SetWeights(ISuperNet net, int[]?[] picked) =>
        net.SetWeights([.. net.Decisions.Select((d, k) => picked[k] is int[] p
            ? new NodeWeights(p, ones(p.Length))
            : new NodeWeights([.. Enumerable.Range(0, d.Count)], full(d.Count, 1.0f / d.Count)))]);

    private (Tensor Images, Tensor Labels) Batch(IstaNas.Data.ImageDataset data, Random random)
    {
        int[] indices = [.. Enumerable.Range(0, Math.Min(batchSize, data.Count)).Select(_ => random.Next(data.Count))];
        using Tensor pixels = data.ToTensor(indices);
        return (pixels.to(float32).div_(255), tensor(indices.Select(i => (long)data.Labels[i]).ToArray()));
    }
}
