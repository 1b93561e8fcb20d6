using IstaNas.Quality;
using IstaNas.Training;
using IstaNas.Visualization.Plots;

namespace IstaNas.Visualization;

/// <summary>
/// Pictures of the search-quality tools (docs/search-quality.md): the scatter of a consistency study and the accuracy of
/// every run of a sweep, per strategy. PNG, drawn with ScottPlot in the embedded font.
/// </summary>
public static class QualityPictures
{
    /// <summary>File name of the consistency scatter.</summary>
    public const string ConsistencyFileName = "consistency.png";

    /// <summary>File name of the sweep plot.</summary>
    public const string SweepFileName = "sweep_accuracy.png";

    /// <summary>The file name of the sweep's benchmark-table accuracy plot.</summary>
    public const string SweepTableFileName = "sweep_table_accuracy.png";

    /// <summary>
    /// Writes <c>consistency.png</c> into <paramref name="directory"/> (created when missing): stand-alone against
    /// super-net accuracy, one numbered point per architecture, Kendall's tau and Spearman's rho in the title. Nothing is
    /// written without points. Written atomically; nothing is thrown for drawing or I/O errors (see <see cref="SavedFiles.Failed"/>).
    /// </summary>
    /// <param name="directory">The output folder.</param>
    /// <param name="result">The study.</param>
    /// <returns>The file written, or the failure.</returns>
    public static SavedFiles Write(string directory, ConsistencyResult result)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(result);
        return Chart(directory, ConsistencyFileName, () => ConsistencyPlot.Build(result), 640);
    }

    /// <summary>
    /// Writes <c>sweep_accuracy.png</c> into <paramref name="directory"/> (created when missing): test accuracy per
    /// strategy, every run a labelled point (its seed), the mean as a bar with plus and minus one standard deviation.
    /// Nothing is written without runs. Written atomically; nothing is thrown for drawing or I/O errors.
    /// </summary>
    /// <param name="directory">The output folder.</param>
    /// <param name="runs">The finished runs (non-finite accuracies are left out).</param>
    /// <returns>The file written, or the failure.</returns>
    public static SavedFiles Write(string directory, IReadOnlyList<RunAccuracy> runs)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(runs);
        return Chart(directory, SweepFileName, () => SweepPlot.Build(runs));
    }

    /// <summary>
    /// Writes <c>sweep_table_accuracy.png</c> into <paramref name="directory"/>: as <see cref="Write(string, IReadOnlyList{RunAccuracy})"/>,
    /// for the accuracy a benchmark's table gives each run's searched architecture.
    /// </summary>
    /// <param name="directory">The output folder.</param>
    /// <param name="runs">The runs with their table accuracy (0..1; non-finite ones are left out).</param>
    /// <returns>The file written, or the failure.</returns>
    public static SavedFiles WriteTableAccuracy(string directory, IReadOnlyList<RunAccuracy> runs)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(runs);
        return Chart(directory, SweepTableFileName, () => SweepPlot.Build(runs, "table accuracy", "table test accuracy"));
    }

    private static SavedFiles Chart(string directory, string name, Func<ScottPlot.Plot?> build, int height = ChartStyle.Height)
    {
        var writer = new PictureWriter(directory);
        writer.Chart(name, build, height);
        return writer.Finish();
    }
}
