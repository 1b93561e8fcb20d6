using IstaNas.Training;
using IstaNas.Visualization.Plots;

namespace IstaNas.Visualization;

/// <summary>
/// Draws and writes pictures into one folder, each atomically. A picture that cannot be drawn or written is recorded
/// with the reason and the others are still written; nothing is thrown for I/O or drawing errors.
/// </summary>
internal sealed class PictureWriter(string directory)
{
    private readonly RunFileWriter _files = new(directory);

    /// <summary>Draws a PNG (null: nothing to draw, no file) and writes it.</summary>
    public void Png(string name, Func<byte[]?> draw) => Write(name, draw, _files.Bytes);

    /// <summary>Builds a chart (null: nothing to draw, no file), writes it as a PNG <see cref="ChartStyle.Width"/> wide and disposes it.</summary>
    public void Chart(string name, Func<ScottPlot.Plot?> build, int height = ChartStyle.Height) => Png(name, () =>
    {
        using ScottPlot.Plot? plot = build();
        return plot is null ? null : ChartStyle.Png(plot, ChartStyle.Width, height);
    });

    /// <summary>Writes a text file (SVG, DOT).</summary>
    public void Text(string name, Func<string> draw) => Write(name, draw, _files.Text);

    /// <summary>What was written and what failed.</summary>
    public SavedFiles Finish() => _files.Finish();

    private void Write<T>(string name, Func<T?> draw, Action<string, T> write)
        where T : class
    {
        T? content;
        try
        {
            content = draw();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _files.Fail(name, $"could not draw the picture: {ex.GetType().Name}: {ex.Message}");
            return;
        }

        if (content is not null) write(name, content);
    }
}
