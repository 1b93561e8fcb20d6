using IstaNas.Architecture;
using IstaNas.Visualization.Plots;
using IstaNas.Strategies;

using IstaNas.Training;

using IstaNas.IO;

namespace IstaNas.Visualization;

/// <summary>Pictures of a run, written next to its results: cell diagrams (SVG and PNG) and plots of the history (PNG).</summary>
public static class RunPictures
{
    /// <summary>
    /// Writes <c>normal.svg</c>, <c>reduce.svg</c>, <c>normal.png</c>, <c>reduce.png</c> and, when the history has
    /// epochs, <c>loss.png</c> and <c>accuracy.png</c>; <c>z_magnitude.png</c> when epochs report |z|;
    /// <c>freeze_timeline.png</c> when nodes froze (one-stage search). Every file is written atomically.
    /// </summary>
    /// <returns>The paths written.</returns>
    public static IReadOnlyList<string> Write(string outputDirectory, SearchResult result)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        ArgumentNullException.ThrowIfNull(result);
        Directory.CreateDirectory(outputDirectory);
        var written = new List<string>(CellDiagram.Save(result.Genotype, outputDirectory));
        void Png(string name, Canvas? canvas)
        {
            if (canvas is null) return;
            string path = Path.Combine(outputDirectory, name);
            AtomicFile.WriteAllBytes(path, canvas.ToPng());
            written.Add(path);
        }
        Png("normal.png", CellPicture.Render(result.Genotype, CellType.Normal));
        Png("reduce.png", CellPicture.Render(result.Genotype, CellType.Reduce));
        if (result.History.Count > 0)
        {
            Png("loss.png", RunPlots.Loss(result.History));
            Png("accuracy.png", RunPlots.Accuracy(result.History));
        }
        Png("z_magnitude.png", RunPlots.ZMagnitude(result.History, result.SearchSpace?.Operations, result.SearchSpace?.Sparsity ?? result.Genotype.EdgesPerNode));
        Png("freeze_timeline.png", RunPlots.FreezeTimeline(result.History));
        return written;
    }
}
