using System.Globalization;
using IstaNas.Data;
using IstaNas.Proxies;
using IstaNas.Quality;
using IstaNas.Spaces.Nb201;
using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Benchmarks;

/// <summary>
/// <c>nb201-proxies</c>: scores a seeded sample of NAS-Bench-201 cells with the zero-cost proxies and prints Spearman's rho
/// of each against the table's test accuracy, next to Abdelfattah et al.'s figures. Models as the references build them:
/// synflow on the BN-free copy of the zero-cost code's NAS-Bench-201 model (the search model fixed to the cell, without
/// BN in stem, cells and head), jacob_cov on that model with BN, NWOT on the benchmark's inference network (as Mellor et
/// al. score the API's network). Every model is initialised after <c>manual_seed(seed + i)</c>. synflow runs first over
/// the whole sample; the data-dependent proxies follow, with interim tables every 100 cells.
/// <code>
/// OMP_NUM_THREADS=1 dotnet run --project benchmarks/IstaNas.Benchmarks -c Release -- nb201-proxies --table ../shared/data/nas-bench-201/cifar10_avg.csv --sample 1000 --seed 0 --batch 64
/// </code>
/// </summary>
internal static class Nb201ProxyCorrelation
{
    private static readonly string[] Names = ["synflow", "jacob_cov", "nwot"];

    public static void Run(string[] args)
    {
        string? tablePath = null;
        int sample = 1000, seed = 0, batchSize = 64, part = 0, parts = 1;
        string? scoresPath = null;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--table": tablePath = Next(); break;
                case "--sample": sample = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--batch": batchSize = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--scores": scoresPath = Next(); break;
                case "--part":
                    string[] kn = Next().Split('/');
                    (part, parts) = (int.Parse(kn[0], CultureInfo.InvariantCulture), int.Parse(kn[1], CultureInfo.InvariantCulture));
                    break;
                default: throw new ArgumentException($"Unknown option '{args[i]}' (nb201-proxies takes --table FILE --sample N --seed S --batch B [--part K/N --scores FILE]).");
            }
        }

        if (tablePath is null) throw new ArgumentException("nb201-proxies needs --table FILE (a NAS-Bench-201 CSV table).");
        if (sample < 3 || sample > Nb201Architecture.SpaceSize) throw new ArgumentException($"--sample must be in 3..{Nb201Architecture.SpaceSize}, got {sample}.");
        if (batchSize < 2) throw new ArgumentException($"--batch must be at least 2, got {batchSize}.");
        Nb201Table table = Nb201Table.Load(tablePath);
        var rng = new Random(seed);
        List<Nb201Architecture> cells = sample == Nb201Architecture.SpaceSize
            ? [.. Nb201Architecture.All()]
            : [.. Enumerable.Range(0, Nb201Architecture.SpaceSize).OrderBy(_ => rng.Next()).Take(sample).Select(Nb201Architecture.FromIndex)];

        ImageDataset data = ImageDataset.CreateSynthetic(batchSize, seed);
        using Tensor batch = Normalised(data);
        Console.WriteLine($"# nb201-proxies: {cells.Count} cells (seed {seed}) of {table.Path}; batch {batchSize} synthetic 32x32x3 images (seed {seed}); torch threads {torch.get_num_threads()}");
        if (scoresPath is not null)
        {
            // One part of the sample (positions i with i % parts == part), every proxy per cell, a CSV row per cell as it is scored.
            using var writer = new StreamWriter(scoresPath, append: true) { AutoFlush = true };
            for (int i = part; i < cells.Count; i += parts)
            {
                double syn = Synflow(cells[i], seed + i);
                var (jac, nw) = WithData(cells[i], seed + i, batch);
                writer.WriteLine(string.Join(',', i.ToString(CultureInfo.InvariantCulture), cells[i].ToString(), Invariant(table.Lookup(cells[i]).TestAccuracy), Invariant(syn), Invariant(jac), Invariant(nw)));
            }

            return;
        }

        var scores = Names.ToDictionary(n => n, _ => new double[cells.Count]);
        var accuracy = new double[cells.Count];
        for (int i = 0; i < cells.Count; i++)
        {
            accuracy[i] = table.Lookup(cells[i]).TestAccuracy;
            scores["synflow"][i] = Synflow(cells[i], seed + i);
        }

        Table(scores, accuracy, cells.Count, ["synflow"], $"synflow, all {cells.Count} cells");
        for (int i = 0; i < cells.Count; i++)
        {
            (scores["jacob_cov"][i], scores["nwot"][i]) = WithData(cells[i], seed + i, batch);
            if ((i + 1) % 100 == 0 && i + 1 < cells.Count) Table(scores, accuracy, i + 1, Names, $"interim, first {i + 1} cells of the (random-order) sample");
        }

        Table(scores, accuracy, cells.Count, Names, $"all {cells.Count} cells");
        Console.WriteLine();
        Console.WriteLine("Sanity (where each uniform cell's score ranks among the sample, 0 = lowest, 1 = highest; NaN = no score):");
        foreach (string op in Nb201Architecture.Operations)
        {
            var cell = Nb201Architecture.Uniform(op);
            double s = Synflow(cell, seed);
            var (j, n) = WithData(cell, seed, batch);
            Console.WriteLine($"  all-{op,-13} table {table.Lookup(cell).TestAccuracy,6:F2} %  synflow {Rank(scores["synflow"], s)}  jacob_cov {Rank(scores["jacob_cov"], j)}  nwot {Rank(scores["nwot"], n)}");
        }
    }

    /// <summary><c>nb201-proxies-merge FILE...</c>: the tables over the rows that parts wrote with <c>--scores</c>.</summary>
    public static void Merge(string[] files)
    {
        var rows = files.SelectMany(File.ReadAllLines).Where(l => l.Length > 0).Select(l => l.Split(',')).DistinctBy(f => f[0]).ToList();
        var accuracy = rows.Select(f => double.Parse(f[2], CultureInfo.InvariantCulture)).ToArray();
        var scores = new Dictionary<string, double[]>();
        for (int p = 0; p < Names.Length; p++) scores[Names[p]] = [.. rows.Select(f => double.Parse(f[3 + p], CultureInfo.InvariantCulture))];
        Console.WriteLine($"# nb201-proxies-merge: {rows.Count} cells from {string.Join(", ", files)}");
        Table(scores, accuracy, rows.Count, Names, $"{rows.Count} cells");
    }

    private static string Invariant(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static void Table(Dictionary<string, double[]> scores, double[] accuracy, int count, string[] names, string title)
    {
        Console.WriteLine();
        Console.WriteLine($"Spearman rho, {title}:");
        Console.WriteLine();
        Console.WriteLine("| proxy | Spearman rho vs test accuracy | cells scored (NaN left out) | Abdelfattah et al., NB201 CIFAR-10 (Table 1) |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        var paper = new Dictionary<string, string> { ["synflow"] = "0.737", ["jacob_cov"] = "0.731", ["nwot"] = "not in their table" };
        foreach (string name in names)
        {
            int[] kept = [.. Enumerable.Range(0, count).Where(i => !double.IsNaN(scores[name][i]))];
            // A singular NWOT kernel scores -infinity (log 0): the lowest rank, as numpy ranks it; ranks need finite stand-ins.
            double[] values = [.. kept.Select(i => scores[name][i])];
            double low = values.Where(double.IsFinite).DefaultIfEmpty(0).Min() - 1, high = values.Where(double.IsFinite).DefaultIfEmpty(0).Max() + 1;
            values = [.. values.Select(v => double.IsNegativeInfinity(v) ? low : double.IsPositiveInfinity(v) ? high : v)];
            double rho = RankCorrelation.Spearman(values, [.. kept.Select(i => accuracy[i])]);
            Console.WriteLine($"| {name} | {rho.ToString("F3", CultureInfo.InvariantCulture)} | {kept.Length} ({kept.Count(i => double.IsInfinity(scores[name][i]))} infinite) | {paper[name]} |");
        }

        Console.Out.Flush();
    }

    private static double Synflow(Nb201Architecture cell, int seed)
    {
        torch.manual_seed(seed);
        using var model = Nb201Space.FixedSearchModel(cell, batchNorm: false);
        return ZeroCostProxies.Synflow(model, [3, 32, 32]);
    }

    private static (double JacobCov, double Nwot) WithData(Nb201Architecture cell, int seed, Tensor batch)
    {
        double jacob, nwot;
        torch.manual_seed(seed);
        using (var model = Nb201Space.FixedSearchModel(cell, batchNorm: true))
        {
            jacob = ZeroCostProxies.JacobCov(model, batch);
        }

        torch.manual_seed(seed);
        using (var model = Nb201Space.Network(cell))
        {
            nwot = ZeroCostProxies.Nwot(model, batch);
        }

        return (jacob, nwot);
    }

    private static string Rank(double[] sample, double value) =>
        double.IsNaN(value) ? "NaN " : (sample.Count(v => v < value) / (double)sample.Length).ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>The batch the proxies score: the images as floats in [0, 1], normalised by the data set's mean and std.</summary>
    internal static Tensor Normalised(ImageDataset data)
    {
        using var scope = torch.NewDisposeScope();
        using Tensor pixels = data.ToTensor();
        Tensor mean = torch.tensor(data.Mean.ToArray()).reshape(1, -1, 1, 1);
        Tensor std = torch.tensor(data.Std.ToArray()).reshape(1, -1, 1, 1);
        return pixels.to(ScalarType.Float32).div(255).sub(mean).div(std).MoveToOuterDisposeScope();
    }
}
