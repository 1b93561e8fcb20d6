using IstaNas.Data;

namespace IstaNas.Formats;

/// <summary>
/// An <see cref="ImageDataset"/> read from an image folder (<c>root/&lt;class&gt;/&lt;image&gt;</c>), made by
/// <see cref="ImageFolder.Load"/> or <see cref="ImageFolder.LoadTrainTest"/>. It knows each image's file
/// (<see cref="Files"/>, <see cref="ImageDataset.GetSource"/>) and holds either the decoded images (small folders,
/// up to <see cref="ImageFolderOptions.InMemoryLimitBytes"/>) or only the file list, decoding an image each time it is
/// read (<see cref="LabelledDataset.DecodesOnDemand"/>); both give the same bytes. A file that fails to decode on demand
/// throws a <see cref="DataFormatException"/> naming it.
/// </summary>
internal sealed class ImageFolderDataset : ImageDataset
{
    private readonly string[] _files;
    private readonly byte[]? _pixels;
    private readonly int? _targetSize;
    private readonly long _maxSourcePixels;
    private readonly ImageResizeMode _resizeMode;

    internal ImageFolderDataset(string name, string root, string[] files, int[] labels, IReadOnlyList<string> classNames,
        int channels, int height, int width, int? targetSize, ImageResizeMode resizeMode, long maxSourcePixels, byte[]? pixels,
        IReadOnlyList<float> mean, IReadOnlyList<float> std)
        : base(name, labels, channels, height, width, classNames.Count, mean, std, classNames)
    {
        if (files.Length != labels.Length)
        {
            throw new ArgumentException($"{files.Length} files were given for {labels.Length} labels.", nameof(files));
        }

        if (pixels is not null && pixels.LongLength != (long)files.Length * ImageSize)
        {
            throw new ArgumentException($"The decoded images hold {pixels.LongLength} bytes, not {(long)files.Length * ImageSize}.", nameof(pixels));
        }

        Root = root;
        _files = files;
        _pixels = pixels;
        _targetSize = targetSize;
        _resizeMode = resizeMode;
        _maxSourcePixels = maxSourcePixels;
    }

    /// <summary>The folder the images were listed from (for a train/test pair split by folder, its <c>train</c> or <c>val</c>/<c>test</c> folder).</summary>
    public string Root { get; }

    /// <summary>The full path of every image, in image order.</summary>
    public IReadOnlyList<string> Files => _files;

    /// <summary>How the images were brought to the data set's size.</summary>
    public override ImageResizeMode? ResizeMode => _resizeMode;

    /// <summary>Whether the images were decoded when the folder was loaded (false: each is decoded when read).</summary>
    public bool IsInMemory => _pixels is not null;

    /// <inheritdoc />
    public override bool DecodesOnDemand => _pixels is null;

    /// <summary>The file of image <paramref name="index"/>.</summary>
    /// <param name="index">Image index in [0, Count).</param>
    /// <returns>Its full path.</returns>
    public override string? GetSource(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        return _files[index];
    }

    /// <inheritdoc />
    public override ReadOnlySpan<byte> GetImage(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        return _pixels is null ? base.GetImage(index) : new ReadOnlySpan<byte>(_pixels, index * ImageSize, ImageSize);
    }

    /// <inheritdoc />
    protected override void ReadImage(int index, Span<byte> destination)
    {
        if (_pixels is not null)
        {
            _pixels.AsSpan(index * ImageSize, ImageSize).CopyTo(destination);
            return;
        }

        ImageDecoder.Decode(_files[index], Channels, _targetSize, _resizeMode, Height, Width, _maxSourcePixels, destination);
    }
}
