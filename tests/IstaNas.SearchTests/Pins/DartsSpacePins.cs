using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using IstaNas.Checkpoints;
using IstaNas.Networks;
using IstaNas.Strategies;
using IstaNas.Tests.Data;
using IstaNas.Tests.Strategies;

namespace IstaNas.Tests.Pins;

/// <summary>
/// Runs the DARTS-cell searches whose results are pinned (<see cref="DartsSpacePinTests"/>) and writes each as a text
/// dump: the genotype, every number of the per-epoch history as the bit pattern of its double, the |z| trajectories,
/// the final sparse codes, the parameter counts and a SHA-256 of the final checkpoint's network section (the weights
/// and their names). Set ISTANAS_WRITE_PINS to a folder to have the tests write the dumps there for re-pinning.
/// </summary>
internal static class DartsSpacePins
{
    public static string TwoStage() => Dump("two-stage", b => b.UseTwoStage(o => Tiny(o)), false);

    public static string Darts() => Dump("darts", b => b.UseDarts(o => Tiny(o)), true);

    public static string OneStage() => Dump("one-stage", b => b.UseOneStage(o =>
    {
        Tiny(o, epochs: 3);
        o.Auxiliary = false;
        o.ParameterBudgetMillions = null;
        o.MaxSearchEpochs = 2;
    }), false);

    private static void Tiny(TrainingOptions o, int epochs = 2)
    {
        TinySearch.Configure(o, epochs, steps: 2);
    }

    private static string Dump(string kind, Func<SearchBuilder, SearchBuilder> strategy, bool dense)
    {
        using var dir = new TempDirectory();
        SearchBuilder builder = strategy(new SearchBuilder().UseDataset(TinySearch.Data(count: 128)).UseSeed(11));
        SearchResult r = builder.ConfigureTwoStage(o => o.CheckpointDirectory = dir.Path)
            .ConfigureOneStage(o => o.CheckpointDirectory = dir.Path)
            .ConfigureDarts(o => o.CheckpointDirectory = dir.Path)
            .Build().Run();
        var s = new StringBuilder();
        s.Append("strategy ").AppendLine(r.Strategy);
        s.Append("genotype ").AppendLine(r.Genotype!.ToJson());
        foreach (EpochReport h in r.History)
        {
            s.Append(CultureInfo.InvariantCulture, $"epoch {h.Epoch}/{h.Epochs} {h.Phase} steps {h.Steps} lr {Bits(h.LearningRate)} dp {Bits(h.DropPathProbability)}");
            s.Append(CultureInfo.InvariantCulture, $" train {Bits(h.TrainLoss)} {Bits(h.TrainAccuracy)} valid {Bits(h.ValidLoss)} {Bits(h.ValidAccuracy)}");
            s.AppendLine(CultureInfo.InvariantCulture, $" test {Bits(h.TestLoss)} {Bits(h.TestAccuracy)} {Bits(h.TestTop5)}");
            s.Append("  genotype ").AppendLine(h.Genotype?.ToJson() ?? "null");
            s.Append("  frozen [").Append(string.Join(",", h.FrozenNodes)).AppendLine("]");
            foreach (var (key, change) in h.ZChange.OrderBy(p => p.Key, StringComparer.Ordinal))
                s.AppendLine(CultureInfo.InvariantCulture, $"  dz {key} {Bits(change)}");
            foreach (var (key, z) in h.ZMagnitude.OrderBy(p => p.Key, StringComparer.Ordinal))
                s.AppendLine(CultureInfo.InvariantCulture, $"  |z| {key} {string.Join(" ", z.Select(Bits))}");
        }
        if (r.SearchSpace is not null)
            foreach (var n in r.SearchSpace.NodeStates)
                s.AppendLine(CultureInfo.InvariantCulture,
                    $"state {n.Cell}/{n.Node} support {string.Join(",", n.Support)} frozen {n.Frozen} b {string.Join(" ", n.B.Select(v => BitConverter.SingleToInt32Bits(v).ToString("x8", CultureInfo.InvariantCulture)))} z {string.Join(" ", n.Z.Select(Bits))}");
        s.AppendLine(CultureInfo.InvariantCulture, $"supernet parameters {SuperNetParameters(dense)}");
        if (r.Network is not null)
        {
            using (r.Network) s.AppendLine(CultureInfo.InvariantCulture, $"network parameters {ParameterCounting.Count(r.Network, includeAuxiliary: true)}");
        }
        Checkpoint checkpoint = Checkpoint.Load(r.CheckpointPath ?? throw new InvalidOperationException("no checkpoint was written"));
        s.AppendLine(CultureInfo.InvariantCulture, $"checkpoint network sha256 {Convert.ToHexString(SHA256.HashData(checkpoint.ReadSection(CheckpointWriter.NetworkSection)))}");
        string dump = s.ToString().ReplaceLineEndings("\n");
        string? folder = Environment.GetEnvironmentVariable("ISTANAS_WRITE_PINS");
        if (!string.IsNullOrEmpty(folder)) File.WriteAllText(System.IO.Path.Combine(folder, kind + ".txt"), dump);
        return dump;
    }

    /// <summary>Parameters of the search super-net of the pinned runs' size (non-affine, as the strategies build it).</summary>
    private static long SuperNetParameters(bool dense)
    {
        var options = new SuperNetOptions { Channels = 4, Layers = 3, Classes = 10, Affine = false };
        if (dense) options = options with { Operations = [.. IstaNas.SearchSpace.DartsSearchSpace.DenseOperations(options.Operations)] };
        using var net = new SuperNet(options);
        return ParameterCounting.Count(net);
    }

    private static string Bits(double v) => BitConverter.DoubleToInt64Bits(v).ToString("x16", CultureInfo.InvariantCulture);
}
