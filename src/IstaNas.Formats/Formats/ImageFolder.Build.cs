using IstaNas.Data;
using Microsoft.Extensions.Logging;

namespace IstaNas.Formats;

/// <summary>From a listing to a data set: the seeded train/test split by portion, decoding, statistics and the stored order.</summary>
internal static partial class ImageFolder
{
    /// <summary>Per class, round(portion·n) images (at most n − 1) chosen with the seed go to the test part.</summary>
    private static (List<Entry> Train, List<Entry> Test) SplitByPortion(List<Entry> entries, int classCount, ImageFolderOptions options)
    {
        var train = new List<Entry>();
        var test = new List<Entry>();
        ILookup<int, Entry> byClass = entries.ToLookup(e => e.Label);
        for (int k = 0; k < classCount; k++)
        {
            Entry[] members = byClass[k].ToArray();
            if (members.Length == 0)
            {
                continue;
            }

            int held = Math.Min(members.Length - 1, (int)Math.Round(options.TestPortion * members.Length, MidpointRounding.AwayFromZero));
            int[] order = Enumerable.Range(0, members.Length).ToArray();
            DeterministicRandom.FromKeys(options.Seed, SplitSalt, k).Shuffle<int>(order);
            var isTest = new bool[members.Length];
            foreach (int i in order[..held])
            {
                isTest[i] = true;
            }

            for (int i = 0; i < members.Length; i++)
            {
                (isTest[i] ? test : train).Add(members[i]);
            }
        }

        return (train, test);
    }

    /// <summary>
    /// Orders the entries, decodes them into memory when they fit (or a statistics sample when they do not and no
    /// statistics are given), drops what fails to decode when skipping, and makes the data set.
    /// </summary>
    private static ImageFolderDataset Build(string name, string root, List<Entry> entries, IReadOnlyList<string> classNames,
        ImageFolderOptions options, IReadOnlyList<float>? mean, IReadOnlyList<float>? std, long part, ILogger logger)
    {
        int channels = options.Channels;
        int height = options.ImageSize ?? entries[0].Header.Height;
        int width = options.ImageSize ?? entries[0].Header.Width;
        long imageSize = (long)channels * height * width;
        if (imageSize > int.MaxValue)
        {
            throw DataFormatException.Folder(root, $"its images of {channels}x{height}x{width} are too large to handle (more than {int.MaxValue} bytes each).");
        }

        mean ??= options.Mean;
        std ??= options.Std;
        bool inMemory = imageSize * entries.Count <= Math.Min(options.InMemoryLimitBytes, Array.MaxLength);

        // What gets decoded now: everything for an in-memory set, else the statistics sample (if statistics are needed).
        int[] decodeNow = inMemory ? Enumerable.Range(0, entries.Count).ToArray()
            : mean is null ? ImageDataset.StatisticsSample(entries.Count, options.StatisticsSampleSize, options.Seed)
            : [];
        var decoded = new byte[inMemory ? decodeNow.Length : 0][];
        var sums = new long[decodeNow.Length][];
        var failures = new Exception?[decodeNow.Length];
        Parallel.For(0, decodeNow.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var buffer = new byte[imageSize];
            try
            {
                Entry e = entries[decodeNow[i]];
                ImageDecoder.Decode(e.Path, channels, options.ImageSize, options.ResizeMode, height, width, options.MaxSourcePixels, buffer);
                var own = new long[2 * channels];
                ImageDataset.AddImageSums(buffer, channels, height * width, own.AsSpan(0, channels), own.AsSpan(channels));
                sums[i] = own;
                if (inMemory)
                {
                    decoded[i] = buffer;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failures[i] = e;
            }
        });

        var dropped = new HashSet<int>();
        for (int i = 0; i < decodeNow.Length; i++)
        {
            if (failures[i] is Exception problem)
            {
                Invalid(entries[decodeNow[i]].Path, problem, options, logger);
                dropped.Add(decodeNow[i]);
            }
        }

        if (mean is null || std is null)
        {
            var total = new long[channels];
            var squares = new long[channels];
            int used = 0;
            foreach (long[]? own in sums)
            {
                if (own is not null)
                {
                    for (int c = 0; c < channels; c++)
                    {
                        total[c] += own[c];
                        squares[c] += own[channels + c];
                    }

                    used++;
                }
            }

            (mean, std) = ImageDataset.StatisticsFromSums(total, squares, (double)used * height * width);
        }

        // The kept entries, then their stored order.
        var keptIndices = Enumerable.Range(0, entries.Count).Where(i => !dropped.Contains(i)).ToArray();
        if (keptIndices.Length == 0)
        {
            throw DataFormatException.Folder(root, "none of its images could be decoded.");
        }

        if (dropped.Count > 0)
        {
            var before = new int[classNames.Count];
            var after = new int[classNames.Count];
            foreach (Entry e in entries)
            {
                before[e.Label]++;
            }

            foreach (int i in keptIndices)
            {
                after[entries[i].Label]++;
            }

            for (int k = 0; k < classNames.Count; k++)
            {
                if (before[k] > 0 && after[k] == 0)
                {
                    logger.LogWarning("Class {Class} of {Folder} has no images left after skipping unreadable ones", classNames[k], root);
                }
            }
        }

        if (options.Shuffle)
        {
            DeterministicRandom.FromKeys(options.Seed, OrderSalt, part).Shuffle<int>(keptIndices);
        }

        var files = keptIndices.Select(i => entries[i].Path).ToArray();
        var labels = keptIndices.Select(i => entries[i].Label).ToArray();
        byte[]? pixels = null;
        if (inMemory)
        {
            pixels = new byte[imageSize * keptIndices.Length];
            for (int n = 0; n < keptIndices.Length; n++)
            {
                decoded[keptIndices[n]].CopyTo(pixels, n * imageSize);
            }
        }

        return new ImageFolderDataset(name, root, files, labels, classNames, channels, height, width, options.ImageSize, options.ResizeMode,
            options.MaxSourcePixels, pixels, mean, std);
    }
}
