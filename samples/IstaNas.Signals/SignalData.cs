using static TorchSharp.torch;

namespace IstaNas.Signals;

/// <summary>
/// Synthetic 1-D signals [N, 1, 128]: class k is the sum of two sines whose frequencies belong to that class (in cycles per
/// 128 samples), each with a random amplitude in [0.5, 1] and a random phase, plus Gaussian noise. The same seed gives the
/// same signals.
/// </summary>
internal static class SignalData
{
    /// <summary>Length T of every signal.</summary>
    public const int Length = 128;

    /// <summary>The two frequencies of each class.</summary>
    public static readonly (int First, int Second)[] Frequencies = [(3, 7), (5, 11), (9, 13), (4, 15)];

    /// <summary>Makes <paramref name="count"/> signals, classes in turn; the caller disposes both tensors.</summary>
    /// <param name="count">N.</param>
    /// <param name="seed">Seed of amplitudes, phases and noise.</param>
    /// <param name="noise">Standard deviation of the noise.</param>
    /// <returns>Samples float32 [N, 1, 128] and labels int64 [N].</returns>
    public static (Tensor X, Tensor Y) Make(int count, int seed, double noise = 0.5)
    {
        var random = new Random(seed);
        var values = new float[count * Length];
        var labels = new long[count];
        for (int n = 0; n < count; n++)
        {
            int k = n % Frequencies.Length;
            labels[n] = k;
            (int f1, int f2) = Frequencies[k];
            double a1 = 0.5 + 0.5 * random.NextDouble(), a2 = 0.5 + 0.5 * random.NextDouble();
            double p1 = 2 * Math.PI * random.NextDouble(), p2 = 2 * Math.PI * random.NextDouble();
            for (int t = 0; t < Length; t++)
            {
                double s = a1 * Math.Sin(2 * Math.PI * f1 * t / Length + p1) + a2 * Math.Sin(2 * Math.PI * f2 * t / Length + p2);
                values[n * Length + t] = (float)(s + noise * Gaussian(random));
            }
        }

        return (tensor(values, [count, 1, Length]), tensor(labels));
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
