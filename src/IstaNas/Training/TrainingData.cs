using System.Security.Cryptography;
using IstaNas.Checkpoints;
using IstaNas.Data;
using IstaNas.Networks;

namespace IstaNas.Training;

/// <summary>Checks and fingerprints of the data a run trains on.</summary>
internal static class TrainingData
{
    /// <summary>Records whose pixels enter the content hash (spread evenly over the set).</summary>
    private const int SampledRecords = 64;

    /// <summary>
    /// Throws unless the labels of <paramref name="data"/> use at least two classes: with one class every architecture
    /// reaches zero loss and a search returns a meaningless genotype.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two distinct labels.</exception>
    public static void RequireTwoClasses(LabelledDataset data, string role)
    {
        int[] used = [.. data.Labels.Distinct().Take(2)];
        if (used.Length < 2)
            throw new ArgumentException(
                $"The {role} set '{data.Name}' ({data.Count} images) uses {(used.Length == 0 ? "no class" : $"only class {used[0]}")}; " +
                "a classification search or training needs images of at least 2 classes.", nameof(data));
    }

    /// <summary>The network shape a run trains: the options' size, the data's input channels and classes.</summary>
    /// <exception cref="ArgumentException">The samples are not images [C, H, W].</exception>
    public static NetworkShape NetworkShape(this TrainingOptions o, LabelledDataset data, bool auxiliary) => new()
    {
        Channels = o.Channels,
        Layers = o.Layers,
        StemMultiplier = o.StemMultiplier,
        InputChannels = ImageShape(data).Channels,
        Classes = data.ClassCount,
        Auxiliary = auxiliary,
    };

    /// <summary>The image shape of a data set whose samples are [C, H, W] (images, or a tensor set of float images).</summary>
    /// <exception cref="ArgumentException">The samples have another rank (signals, tabular rows): the DARTS networks take images.</exception>
    public static (int Channels, int Height, int Width) ImageShape(LabelledDataset data)
    {
        IReadOnlyList<int> s = data.SampleShape;
        if (s.Count != 3)
            throw new ArgumentException(
                $"The DARTS cell networks take images [C, H, W]; the samples of '{data.Name}' have shape [{string.Join(", ", s)}]. " +
                "Search or train a model of your own for other data.", nameof(data));
        return (s[0], s[1], s[2]);
    }

    /// <summary>
    /// Fingerprint parts of a data set, cheap to compute: its size, image shape, classes, and a hash of every label and
    /// of the pixels of 64 records spread over the set. Another folder of the same size and shape differs in the hash.
    /// </summary>
    public static CheckpointFingerprint Fingerprint(CheckpointFingerprint fingerprint, string prefix, LabelledDataset data) =>
        fingerprint
            .With($"{prefix}.count", data.Count)
            .With($"{prefix}.shape", string.Join("x", data.SampleShape))
            .With($"{prefix}.classes", data.ClassCount)
            .With($"{prefix}.content", ContentHash(data));

    /// <summary>SHA-256 (first 16 hex digits) of the labels and of 64 sampled records' pixels.</summary>
    public static string ContentHash(LabelledDataset data)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> number = stackalloc byte[4];
        foreach (int label in data.Labels)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(number, label);
            hash.AppendData(number);
        }

        int samples = Math.Min(SampledRecords, data.Count);
        for (int k = 0; k < samples; k++)
            hash.AppendData(data.SampleBytes((int)((long)k * data.Count / samples)));
        return Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant();
    }
}
