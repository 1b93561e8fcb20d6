using IstaNas.Evaluation;
using IstaNas.Strategies;
using IstaNas.Training;
using IstaNas.Visualization.Plots;

namespace IstaNas.Visualization;

/// <summary>
/// Pictures of a run, written next to its results: the cells of its genotype (PNG, SVG and Graphviz DOT, see
/// <see cref="CellPicture"/>) and PNG plots of its history, drawn with ScottPlot in an embedded font.
/// </summary>
public static class RunPictures
{
    /// <summary>
    /// Writes the pictures of a search into <paramref name="directory"/> (created when missing): for the DARTS cell space
    /// <c>normal.png</c>, <c>normal.svg</c>, <c>normal.dot</c>, <c>reduce.png</c>, <c>reduce.svg</c>, <c>reduce.dot</c>; when the history
    /// has epochs, <c>loss.png</c> and <c>accuracy.png</c> (train and valid, test when measured) and
    /// <c>learning_rate.png</c>; <c>z_magnitude.png</c> (|z| per candidate of every node across epochs) when epochs report
    /// |z|; <c>freeze_timeline.png</c> when nodes froze (one-stage search). Each file is written atomically; a picture that
    /// cannot be drawn or written does not stop the others, and nothing is thrown for I/O errors.
    /// </summary>
    /// <param name="directory">The output folder.</param>
    /// <param name="result">The search.</param>
    /// <returns>The files written and those that failed (see <see cref="SavedFiles.Failed"/>).</returns>
    public static SavedFiles Write(string directory, SearchResult result)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(result);
        var writer = new PictureWriter(directory);
        if (result.Genotype is not null) CellPicture.Write(writer, result.Genotype); // a search of a model's choices has no cells to draw
        History(writer, result.History);
        int strongest = result.SearchSpace?.Sparsity is int s and > 0 ? s : result.Genotype?.EdgesPerNode ?? 1;
        writer.Png("z_magnitude.png", () => ZMagnitudePlot.Render(result.History, result.SearchSpace?.Operations, strongest));
        writer.Png("freeze_timeline.png", () =>
        {
            using ScottPlot.Plot? plot = FreezeTimeline.Build(result.History);
            return plot is null ? null : ChartStyle.Png(plot, ChartStyle.Width, FreezeTimeline.HeightFor(FreezeTimeline.Freezes(result.History).Count));
        });
        return writer.Finish();
    }

    /// <summary>
    /// Writes the pictures of an evaluation run into <paramref name="directory"/> (created when missing): the cells of its
    /// genotype (<c>normal.png</c>, <c>normal.svg</c>, <c>normal.dot</c>, <c>reduce.png</c>, <c>reduce.svg</c>,
    /// <c>reduce.dot</c>) and, when an epoch completed, <c>loss.png</c> (train and test), <c>accuracy.png</c> (train
    /// top-1, test top-1 and top-5) and <c>learning_rate.png</c> (with the drop-path probability). Each file is written
    /// atomically; a picture that cannot be drawn or written does not stop the others, and nothing is thrown for I/O errors.
    /// </summary>
    /// <param name="directory">The output folder.</param>
    /// <param name="result">The evaluation run.</param>
    /// <returns>The files written and those that failed (see <see cref="SavedFiles.Failed"/>).</returns>
    public static SavedFiles Write(string directory, EvaluationResult result)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(result);
        var writer = new PictureWriter(directory);
        CellPicture.Write(writer, result.Genotype);
        History(writer, result.History);
        return writer.Finish();
    }

    private static void History(PictureWriter writer, IReadOnlyList<EpochReport> history)
    {
        writer.Chart("loss.png", () => HistoryPlots.Loss(history));
        writer.Chart("accuracy.png", () => HistoryPlots.Accuracy(history));
        writer.Chart("learning_rate.png", () => HistoryPlots.LearningRate(history));
    }
}
