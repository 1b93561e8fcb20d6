using System.Globalization;
using System.Text;
using System.Text.Json;
using IstaNas.Strategies;

namespace IstaNas.Sample;

/// <summary>Writes a run's results into the output directory, every file atomically.</summary>
internal static class ResultWriter
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>genotype.json, genotype.txt, history.csv, history.json and (when there is one) search_space.json.</summary>
    public static IReadOnlyList<string> Write(string directory, SearchResult result)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        string Path(string name)
        {
            string p = System.IO.Path.Combine(directory, name);
            written.Add(p);
            return p;
        }
        result.Genotype.Save(Path("genotype.json"));
        AtomicFile.WriteAllText(Path("genotype.txt"), result.Genotype + Environment.NewLine);
        AtomicFile.WriteAllText(Path("history.csv"), Csv(result.History));
        AtomicFile.WriteAllText(Path("history.json"), JsonSerializer.Serialize(result.History.Select(ToJsonObject), Json));
        if (result.SearchSpace is not null)
            AtomicFile.WriteAllText(Path("search_space.json"), result.SearchSpace.ToJson());
        return written;
    }

    /// <summary>One epoch as a JSON-friendly object (also the line format of --json-log).</summary>
    public static Dictionary<string, object?> ToJsonObject(EpochReport r) => new()
    {
        ["epoch"] = r.Epoch,
        ["epochs"] = r.Epochs,
        ["phase"] = r.Phase,
        ["lr"] = r.LearningRate,
        ["train_loss"] = Finite(r.TrainLoss),
        ["train_acc"] = Finite(r.TrainAccuracy),
        ["valid_loss"] = Finite(r.ValidLoss),
        ["valid_acc"] = Finite(r.ValidAccuracy),
        ["seconds"] = r.Elapsed.TotalSeconds,
        ["recovery_ms"] = r.RecoveryTime.TotalMilliseconds,
        ["z_change"] = r.ZChange,
        ["z_magnitude"] = r.ZMagnitude,
        ["frozen"] = r.FrozenNodes,
        ["genotype"] = r.Genotype is null ? null : JsonDocument.Parse(r.Genotype.ToJson()).RootElement,
    };

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;

    private static string Csv(IReadOnlyList<EpochReport> history)
    {
        var sb = new StringBuilder("epoch,phase,lr,train_loss,train_acc,valid_loss,valid_acc,seconds,recovery_ms,max_z_change,frozen_nodes\n");
        foreach (EpochReport r in history)
        {
            string F(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : string.Empty;
            double maxChange = r.ZChange.Count == 0 ? double.NaN : r.ZChange.Values.Max();
            sb.Append(CultureInfo.InvariantCulture, $"{r.Epoch},{r.Phase},{F(r.LearningRate)},{F(r.TrainLoss)},{F(r.TrainAccuracy)},{F(r.ValidLoss)},{F(r.ValidAccuracy)},")
              .Append(CultureInfo.InvariantCulture, $"{F(r.Elapsed.TotalSeconds)},{F(r.RecoveryTime.TotalMilliseconds)},{F(maxChange)},{r.FrozenNodes.Count}\n");
        }
        return sb.ToString();
    }
}
