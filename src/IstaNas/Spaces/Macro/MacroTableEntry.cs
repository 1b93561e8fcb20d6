namespace IstaNas.Spaces.Macro;

/// <summary>One architecture's row of the NAS-Bench-Macro table (CIFAR-10, each network trained 3 times from scratch).</summary>
/// <param name="Architecture">The 8-character architecture string.</param>
/// <param name="TestAccuracies">Test accuracy (percent) of each run (<c>test_acc</c>; 3 in the benchmark).</param>
/// <param name="MeanAccuracy">Mean test accuracy in percent (<c>mean_acc</c>).</param>
/// <param name="StandardDeviation">Standard deviation of the runs' test accuracies (<c>std</c>), or null if the file has none.</param>
/// <param name="Parameters">Parameters of the network (<c>params</c>).</param>
/// <param name="Flops">Multiply-accumulates of its convolutions and classifier on one 32x32 image, as the benchmark counts them (<c>flops</c>).</param>
public sealed record MacroTableEntry(
    string Architecture, IReadOnlyList<double> TestAccuracies, double MeanAccuracy, double? StandardDeviation, long Parameters, long Flops);
