using IstaNas.Data;

namespace IstaNas.Tests;

/// <summary>The internal types behind the public data sets, for tests that check what the public API hides.</summary>
internal static class InternalViews
{
    extension(ImageDataset dataset)
    {
        /// <summary>The files of an image-folder data set.</summary>
        public IReadOnlyList<string> Files => ((ImageFolderDataset)dataset).Files;

        /// <summary>Whether an image-folder data set was decoded into memory.</summary>
        public bool IsInMemory => ((ImageFolderDataset)dataset).IsInMemory;

        /// <summary>The pixels of an in-memory data set.</summary>
        public ReadOnlySpan<byte> Pixels => ((InMemoryImageDataset)dataset).Pixels;
    }
}
