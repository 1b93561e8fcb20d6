namespace IstaNas.Data;

/// <summary>
/// A small, fast, fully specified pseudo-random generator (SplitMix64) whose entire state is one
/// <see cref="ulong"/>. Unlike <see cref="Random"/>, its sequence is fixed by this code and never changes
/// between runtime versions, and its <see cref="State"/> can be saved and restored for checkpoint/resume.
/// Not thread-safe: use one instance per thread.
/// </summary>
internal sealed class DeterministicRandom
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>Creates a generator whose state is <paramref name="state"/>.</summary>
    /// <param name="state">Initial state; any value is valid.</param>
    public DeterministicRandom(ulong state) => State = state;

    /// <summary>
    /// Creates a generator from a sequence of keys (for example seed, epoch, batch index); different key
    /// sequences give statistically independent streams.
    /// </summary>
    /// <param name="keys">The keys, in order.</param>
    /// <returns>A new generator.</returns>
    public static DeterministicRandom FromKeys(params long[] keys) => new(Derive(keys));

    /// <summary>Mixes a sequence of keys into one well-scrambled 64-bit state.</summary>
    /// <param name="keys">The keys, in order.</param>
    /// <returns>The derived state.</returns>
    public static ulong Derive(params long[] keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ulong s = 0x243F6A8885A308D3UL;
        foreach (long k in keys)
        {
            s = Mix(s ^ Mix(unchecked((ulong)k) + Golden));
        }

        return s;
    }

    /// <summary>The complete generator state; reading it and assigning it back later replays the same sequence.</summary>
    public ulong State { get; set; }

    /// <summary>Returns the next 64 uniformly distributed bits.</summary>
    /// <returns>A uniform <see cref="ulong"/>.</returns>
    public ulong NextUInt64()
    {
        State = unchecked(State + Golden);
        return Mix(State);
    }

    /// <summary>Returns a uniform integer in [0, <paramref name="maxExclusive"/>).</summary>
    /// <param name="maxExclusive">Exclusive upper bound, at least 1.</param>
    /// <returns>The integer.</returns>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxExclusive, 1);
        // Multiply-high mapping of 32 random bits (bias below 2^-32 * maxExclusive, negligible here).
        return (int)(((NextUInt64() >> 32) * (ulong)maxExclusive) >> 32);
    }

    /// <summary>Returns a uniform integer in [<paramref name="minInclusive"/>, <paramref name="maxExclusive"/>).</summary>
    /// <param name="minInclusive">Inclusive lower bound.</param>
    /// <param name="maxExclusive">Exclusive upper bound, greater than <paramref name="minInclusive"/>.</param>
    /// <returns>The integer.</returns>
    public int NextInt(int minInclusive, int maxExclusive) => minInclusive + NextInt(maxExclusive - minInclusive);

    /// <summary>Returns a uniform double in [0, 1).</summary>
    /// <returns>The double.</returns>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Returns a uniform double in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    /// <param name="min">Lower bound.</param>
    /// <param name="max">Upper bound.</param>
    /// <returns>The double.</returns>
    public double NextDouble(double min, double max) => min + (max - min) * NextDouble();

    /// <summary>Returns a standard normal sample (Box-Muller; consumes two uniforms).</summary>
    /// <returns>The sample.</returns>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble();
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Shuffles <paramref name="values"/> in place (Fisher-Yates).</summary>
    /// <typeparam name="T">Element type.</typeparam>
    /// <param name="values">The values to shuffle.</param>
    public void Shuffle<T>(Span<T> values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    private static ulong Mix(ulong z)
    {
        unchecked
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
