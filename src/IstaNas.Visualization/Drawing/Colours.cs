using IstaNas.Architecture;

namespace IstaNas.Visualization.Drawing;

/// <summary>The colours the pictures share: one per operation (cells and |z| plots), and the series colours.</summary>
internal static class Colours
{
    /// <summary>Arrows from the concatenated nodes into the cell output.</summary>
    public const string Concat = "#808080";

    /// <summary>Training series.</summary>
    public const string Train = "#1f77b4";

    /// <summary>Validation (architecture split) series.</summary>
    public const string Valid = "#e06c00";

    /// <summary>Test top-1 series.</summary>
    public const string Test = "#2ca02c";

    /// <summary>Test top-5 series.</summary>
    public const string Top5 = "#9467bd";

    /// <summary>Text, axes and box outlines.</summary>
    public const string Ink = "#222222";

    private static readonly string[] Cycle =
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    /// <summary>The colour (#rrggbb) of an operation; operations outside the DARTS space get one from a cycle by <paramref name="index"/>.</summary>
    public static string Operation(string operation, int index = 0) => operation switch
    {
        Operations.MaxPool3x3 => "#1f77b4",
        Operations.AvgPool3x3 => "#17a2b8",
        Operations.SkipConnect => "#2ca02c",
        Operations.SepConv3x3 => "#d62728",
        Operations.SepConv5x5 => "#9467bd",
        Operations.DilConv3x3 => "#e06c00",
        Operations.DilConv5x5 => "#8c564b",
        Operations.None => "#a0a020",
        _ => Cycle[((index % Cycle.Length) + Cycle.Length) % Cycle.Length],
    };

    /// <summary>A ScottPlot colour from #rrggbb.</summary>
    public static ScottPlot.Color Of(string hex) => ScottPlot.Color.FromHex(hex);
}
