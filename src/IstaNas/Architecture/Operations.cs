namespace IstaNas.Architecture;

/// <summary>Names of the candidate operations of the DARTS space, in the order of the paper (K = 7).</summary>
public static class Operations
{
    /// <summary>3x3 max pooling, padding 1.</summary>
    public const string MaxPool3x3 = "max_pool_3x3";

    /// <summary>3x3 average pooling, padding 1, padding excluded from the average.</summary>
    public const string AvgPool3x3 = "avg_pool_3x3";

    /// <summary>Identity; FactorizedReduce on a stride-2 edge.</summary>
    public const string SkipConnect = "skip_connect";

    /// <summary>(ReLU, depthwise 3x3, pointwise 1x1, BN) twice.</summary>
    public const string SepConv3x3 = "sep_conv_3x3";

    /// <summary>(ReLU, depthwise 5x5, pointwise 1x1, BN) twice.</summary>
    public const string SepConv5x5 = "sep_conv_5x5";

    /// <summary>ReLU, depthwise 3x3 with dilation 2, pointwise 1x1, BN.</summary>
    public const string DilConv3x3 = "dil_conv_3x3";

    /// <summary>ReLU, depthwise 5x5 with dilation 2, pointwise 1x1, BN.</summary>
    public const string DilConv5x5 = "dil_conv_5x5";

    /// <summary>The DARTS zero op. Not a candidate of ISTA-NAS; used by the DARTS baseline only.</summary>
    public const string None = "none";

    /// <summary>The ISTA-NAS candidates in the paper's order.</summary>
    public static IReadOnlyList<string> Default { get; } =
        [MaxPool3x3, AvgPool3x3, SkipConnect, SepConv3x3, SepConv5x5, DilConv3x3, DilConv5x5];

    /// <summary>True for the seven candidate names (not <see cref="None"/>).</summary>
    public static bool IsKnown(string name) => Default.Contains(name, StringComparer.Ordinal);

    /// <summary>True for operations without weights (pools and skip on a stride-1 edge).</summary>
    public static bool IsParameterFree(string name) => name is MaxPool3x3 or AvgPool3x3 or SkipConnect or None;
}
