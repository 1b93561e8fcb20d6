using System.Globalization;
using IstaNas.Data;
using IstaNas.Evaluation;
using IstaNas.Proxies;
using IstaNas.Quality;
using IstaNas.Spaces.Nb201;
using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Benchmarks;

/// <summary>
/// <c>nb201-jacobcov</c>: jacob_cov of the first <c>--cells</c> cells of <c>nb201-proxies</c>' seeded sample (same sample,
/// same synthetic batch, same model), each initialised after <c>manual_seed(init-seed + position)</c>; prints each cell's
/// score and Spearman's rho against the table. With <c>--out DIR</c> it also writes, per cell, <c>DIR/cell-POS.safetensors</c>:
/// the model's state before scoring (<c>state.NAME</c>), the batch (<c>input</c>), its labels, the per-sample input gradients
/// (<c>gradients</c>) and, in the metadata, the cell, its table accuracy and IstaNas' score, for
/// <c>tools/zero-cost-reference/compare_jacob_cov.py</c>, which loads the same weights into the reference code's model.
/// <code>
/// OMP_NUM_THREADS=1 dotnet IstaNas.Benchmarks.dll nb201-jacobcov --table ../shared/data/nas-bench-201/cifar10_avg.csv --cells 40 --out /tmp/jc
/// </code>
/// </summary>
internal static class Nb201ProxyDump
{
    public static void Run(string[] args)
    {
        string? tablePath = null, outDir = null, scoresPath = null;
        int sample = 1000, seed = 0, batchSize = 32, cellCount = 200;
        int? initSeed = null;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int NextInt() => int.TryParse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : throw new ArgumentException($"{args[i - 1]} needs an integer, got '{args[i]}'.");
            switch (args[i])
            {
                case "--table": tablePath = Next(); break;
                case "--sample": sample = NextInt(); break;
                case "--seed": seed = NextInt(); break;
                case "--init-seed": initSeed = NextInt(); break;
                case "--batch": batchSize = NextInt(); break;
                case "--cells": cellCount = NextInt(); break;
                case "--out": outDir = Next(); break;
                case "--scores": scoresPath = Next(); break;
                default: throw new ArgumentException($"Unknown option '{args[i]}' (nb201-jacobcov takes --table FILE [--sample N --seed S --init-seed K --batch B --cells M --out DIR --scores FILE]).");
            }
        }

        if (tablePath is null) throw new ArgumentException("nb201-jacobcov needs --table FILE (a NAS-Bench-201 CSV table).");
        if (sample < 3 || sample > Nb201Architecture.SpaceSize) throw new ArgumentException($"--sample must be in 3..{Nb201Architecture.SpaceSize}, got {sample}.");
        if (cellCount < 3 || cellCount > sample) throw new ArgumentException($"--cells must be in 3..{sample} (the first cells of the sample), got {cellCount}.");
        if (batchSize < 2) throw new ArgumentException($"--batch must be at least 2, got {batchSize}.");
        int init = initSeed ?? seed;
        Nb201Table table = Nb201Table.Load(tablePath);
        // The same sample as nb201-proxies: a seeded shuffle of all cells, of which the first --cells are scored.
        var rng = new Random(seed);
        List<Nb201Architecture> cells = sample == Nb201Architecture.SpaceSize
            ? [.. Nb201Architecture.All()]
            : [.. Enumerable.Range(0, Nb201Architecture.SpaceSize).OrderBy(_ => rng.Next()).Take(sample).Select(Nb201Architecture.FromIndex)];
        cells = cells[..cellCount];
        if (outDir is not null) Directory.CreateDirectory(outDir);

        ImageDataset data = ImageDataset.CreateSynthetic(batchSize, seed);
        using Tensor batch = Nb201ProxyCorrelation.Normalised(data);
        using Tensor labels = torch.tensor(data.Labels.Select(l => (long)l).ToArray());
        Console.WriteLine($"# nb201-jacobcov: first {cells.Count} of {sample} cells (sample seed {seed}), init manual_seed({init} + position), batch {batchSize} synthetic 32x32x3 images (seed {seed})");
        var scores = new double[cells.Count];
        var accuracy = new double[cells.Count];
        using StreamWriter? writer = scoresPath is null ? null : new StreamWriter(scoresPath) { AutoFlush = true };
        writer?.WriteLine("position,arch,test_accuracy,jacob_cov");
        for (int i = 0; i < cells.Count; i++)
        {
            accuracy[i] = table.Lookup(cells[i]).TestAccuracy;
            torch.manual_seed(init + i);
            using var model = Nb201Space.FixedSearchModel(cells[i], batchNorm: true);
            List<(string Name, Tensor Value)> state = [.. model.state_dict().Select(kv => ("state." + kv.Key, kv.Value.detach().clone()))];
            var (score, gradients) = ZeroCostProxies.JacobCovWithGradients(model, batch);
            scores[i] = score;
            writer?.WriteLine(string.Join(',', i.ToString(CultureInfo.InvariantCulture), cells[i].ToString(), Invariant(accuracy[i]), Invariant(score)));
            if (outDir is not null)
            {
                state.AddRange([("input", batch), ("labels", labels), ("gradients", gradients)]);
                var metadata = new Dictionary<string, string>
                {
                    ["arch"] = cells[i].ToString(),
                    ["position"] = i.ToString(CultureInfo.InvariantCulture),
                    ["init_seed"] = (init + i).ToString(CultureInfo.InvariantCulture),
                    ["test_accuracy"] = Invariant(accuracy[i]),
                    ["jacob_cov"] = Invariant(score),
                };
                SafetensorsWriter.Write(Path.Combine(outDir, $"cell-{i:D4}.safetensors"), state, metadata);
            }

            gradients.Dispose();
            foreach (var (_, value) in state.Take(state.Count - (outDir is null ? 0 : 3))) value.Dispose();
        }

        int[] kept = [.. Enumerable.Range(0, cells.Count).Where(i => !double.IsNaN(scores[i]))];
        double rho = RankCorrelation.Spearman([.. kept.Select(i => scores[i])], [.. kept.Select(i => accuracy[i])]);
        Console.WriteLine($"jacob_cov Spearman rho vs test accuracy: {rho.ToString("F3", CultureInfo.InvariantCulture)} ({kept.Length} of {cells.Count} cells scored, NaN left out)");
    }

    private static string Invariant(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
