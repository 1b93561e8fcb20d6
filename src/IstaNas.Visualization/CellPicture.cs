using IstaNas.Architecture;
using IstaNas.Training;
using IstaNas.Visualization.Cells;

namespace IstaNas.Visualization;

/// <summary>
/// Pictures of the cells of a genotype: arrows from c_{k-2} and c_{k-1} through the nodes n0, n1, ... (the names
/// <see cref="Genotype.ToString"/> uses) to the output c_{k}, each arrow labelled with its operation. PNG and SVG
/// are laid out by this library (no Graphviz needed); the DOT text is for users who have Graphviz.
/// </summary>
public static class CellPicture
{
    /// <summary>A PNG image of one cell, sized to its content.</summary>
    /// <param name="genotype">The architecture.</param>
    /// <param name="cell">Which cell.</param>
    /// <returns>The PNG file's bytes.</returns>
    public static byte[] ToPng(Genotype genotype, CellType cell) => CellPng.Render(CellLayout.Create(genotype, cell));

    /// <summary>A self-contained SVG document of one cell, with the same layout as <see cref="ToPng"/>.</summary>
    /// <param name="genotype">The architecture.</param>
    /// <param name="cell">Which cell.</param>
    /// <returns>The SVG text.</returns>
    public static string ToSvg(Genotype genotype, CellType cell) => CellSvg.Render(CellLayout.Create(genotype, cell));

    /// <summary>A Graphviz DOT document of one cell (render it with <c>dot -Tpng normal.dot -o normal.png</c>).</summary>
    /// <param name="genotype">The architecture.</param>
    /// <param name="cell">Which cell.</param>
    /// <returns>The DOT text.</returns>
    public static string ToDot(Genotype genotype, CellType cell) => CellDot.Render(genotype, cell);

    /// <summary>
    /// Writes <c>normal.png</c>, <c>normal.svg</c>, <c>normal.dot</c>, <c>reduce.png</c>, <c>reduce.svg</c> and
    /// <c>reduce.dot</c> into <paramref name="directory"/> (created when missing), each atomically. A picture that
    /// cannot be drawn or written does not stop the others, and nothing is thrown for I/O errors.
    /// </summary>
    /// <param name="directory">The output folder.</param>
    /// <param name="genotype">The architecture.</param>
    /// <returns>The files written and those that failed.</returns>
    public static SavedFiles Write(string directory, Genotype genotype)
    {
        ArgumentNullException.ThrowIfNull(genotype);
        var writer = new PictureWriter(directory);
        Write(writer, genotype);
        return writer.Finish();
    }

    internal static void Write(PictureWriter writer, Genotype genotype)
    {
        foreach ((CellType cell, string name) in new[] { (CellType.Normal, "normal"), (CellType.Reduce, "reduce") })
        {
            CellLayout? layout = null;
            CellLayout Layout() => layout ??= CellLayout.Create(genotype, cell);
            writer.Png($"{name}.png", () => CellPng.Render(Layout()));
            writer.Text($"{name}.svg", () => CellSvg.Render(Layout()));
            writer.Text($"{name}.dot", () => CellDot.Render(genotype, cell));
        }
    }
}
