using System.Globalization;
using System.Text;
using IstaNas.Training;

namespace IstaNas.Quality;

/// <summary>
/// The outcome of a <see cref="ConsistencyStudy"/>: every architecture's super-net and stand-alone accuracy, and how well
/// the two rankings agree (Kendall's tau-b, Spearman's rho; see <see cref="RankCorrelation"/>).
/// </summary>
public sealed record ConsistencyResult
{
    /// <summary>The strategy that trained the super-net ("random", "two-stage", "darts").</summary>
    public required string SuperNetStrategy { get; init; }

    /// <summary>Epochs the super-net had completed.</summary>
    public required int SuperNetEpochs { get; init; }

    /// <summary>The super-net's checkpoint.</summary>
    public required string SuperNetCheckpoint { get; init; }

    /// <summary>One point per architecture finished, in sample order.</summary>
    public required IReadOnlyList<ConsistencyPoint> Points { get; init; }

    /// <summary>Kendall's tau-b of super-net against stand-alone accuracy; NaN with fewer than two points or a constant sample.</summary>
    public required double KendallTau { get; init; }

    /// <summary>Spearman's rho (average ranks) of super-net against stand-alone accuracy; NaN when undefined.</summary>
    public required double SpearmanRho { get; init; }

    /// <summary>Whether the study stopped early on cancellation (<see cref="Points"/> then holds the architectures finished).</summary>
    public bool Cancelled { get; init; }

    /// <summary>Wall time of this call.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Conditions a user should know about that did not stop the study.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>
    /// Writes <c>consistency.json</c> (everything above; accuracies as fractions, the library's JSON style) and
    /// <c>consistency.csv</c> (one row per architecture: index, superNetAccuracy, standAloneAccuracy, parameterCount,
    /// genotype as compact JSON) into <paramref name="directory"/>. Each file is written atomically; one that fails does
    /// not stop the other, and nothing is thrown for I/O errors.
    /// </summary>
    /// <param name="directory">The output folder (created when missing).</param>
    /// <returns>The files written and those that failed.</returns>
    public SavedFiles Save(string directory)
    {
        var files = new RunFileWriter(directory);
        files.Json("consistency.json", new
        {
            SuperNetStrategy,
            SuperNetEpochs,
            SuperNetCheckpoint,
            Architectures = Points.Count,
            KendallTau,
            SpearmanRho,
            Cancelled,
            ElapsedSeconds = Elapsed.TotalSeconds,
            Warnings,
            Points,
        });
        files.Text("consistency.csv", Csv());
        return files.Finish();
    }

    /// <summary>The points as CSV (see <see cref="Save"/>).</summary>
    public string Csv()
    {
        var sb = new StringBuilder("index,superNetAccuracy,standAloneAccuracy,parameterCount,genotype\n");
        foreach (ConsistencyPoint p in Points)
        {
            string genotype = System.Text.Json.JsonSerializer.Serialize(p.Genotype, IO.JsonFormat.Compact).Replace("\"", "\"\"", StringComparison.Ordinal);
            sb.Append(CultureInfo.InvariantCulture,
                $"{p.Index},{p.SuperNetAccuracy.ToString("R", CultureInfo.InvariantCulture)},{p.StandAloneAccuracy.ToString("R", CultureInfo.InvariantCulture)},{p.ParameterCount},\"{genotype}\"\n");
        }

        return sb.ToString();
    }
}
