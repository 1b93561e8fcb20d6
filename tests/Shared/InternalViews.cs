using IstaNas.Data;

namespace IstaNas.Tests;

/// <summary>The internal types behind the public data sets, for tests that check what the public API hides.</summary>
internal static class InternalViews
{
    extension(ImageDataset dataset)
    {
        /// <summary>The files of an image-folder data set (its images' sources; the reader is in IstaNas.Formats).</summary>
        public IReadOnlyList<string> Files => [.. Enumerable.Range(0, dataset.Count).Select(i => dataset.GetSource(i)
            ?? throw new InvalidOperationException($"{dataset.Name} is not an image folder: image {i} has no file."))];

        /// <summary>Whether an image-folder data set was decoded into memory.</summary>
        public bool IsInMemory => dataset.GetSource(0) is not null ? !dataset.DecodesOnDemand
            : throw new InvalidOperationException($"{dataset.Name} is not an image folder.");

        /// <summary>The pixels of an in-memory data set.</summary>
        public ReadOnlySpan<byte> Pixels => ((InMemoryImageDataset)dataset).Pixels;
    }
}
