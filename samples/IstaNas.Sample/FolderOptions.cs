using System.CommandLine;
using IstaNas.Data;

namespace IstaNas.Sample;

/// <summary>The options of <c>--data folder:DIR</c>, which <c>search</c> and <c>evaluate</c> share.</summary>
internal sealed class FolderOptions
{
    public Option<int?> ImageSize { get; } = new("--image-size")
    {
        Description = "With --data folder:DIR: side of the square images, in pixels (default 32); every image is resized to it. 0 keeps the images' own size, which must then be the same for all.",
    };

    public Option<bool> Grayscale { get; } = new("--grayscale") { Description = "With --data folder:DIR: read the images as grey (1 channel) instead of RGB." };

    public Option<bool> CenterCrop { get; } = new("--center-crop")
    {
        Description = "With --data folder:DIR: scale the shorter side to --image-size and keep the central square, instead of stretching the whole image.",
    };

    public Option<bool> SkipBadImages { get; } = new("--skip-bad-images")
    {
        Description = "With --data folder:DIR: leave out unreadable images and empty class folders with a warning, instead of stopping with an error.",
    };

    public IReadOnlyList<Option> All => [ImageSize, Grayscale, CenterCrop, SkipBadImages];

    /// <summary>The image-folder settings for <paramref name="dataSpec"/>; throws a one-line ArgumentException when they are invalid or given without a folder.</summary>
    public ImageFolderOptions Read(ParseResult p, string dataSpec)
    {
        int? size = p.GetValue(ImageSize);
        bool grey = p.GetValue(Grayscale), crop = p.GetValue(CenterCrop), skip = p.GetValue(SkipBadImages);
        if (DataSpec.Split(dataSpec).Kind != "folder" && (size is not null || grey || crop || skip))
        {
            string given = size is not null ? "--image-size" : grey ? "--grayscale" : crop ? "--center-crop" : "--skip-bad-images";
            throw new ArgumentException($"{given} applies to --data folder:DIR only.");
        }

        if (size is < 0 or > 4096)
            throw new ArgumentException($"--image-size must be between 1 and 4096 pixels (or 0 to keep the images' size), not {size}.");
        return new ImageFolderOptions
        {
            ImageSize = size switch { null => 32, 0 => null, int n => n },
            Channels = grey ? 1 : 3,
            ResizeMode = crop ? ImageResizeMode.CenterCrop : ImageResizeMode.Stretch,
            SkipInvalidImages = skip,
            SkipEmptyClassFolders = skip,
        };
    }
}
