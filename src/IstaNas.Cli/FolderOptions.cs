using System.CommandLine;
using IstaNas.Data;

namespace IstaNas.Cli;

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

    /// <summary>
    /// The image-folder settings for <paramref name="dataSpec"/>: the options given on the command line, else those a
    /// resumed run stored (<paramref name="stored"/>), else the defaults. Throws a one-line ArgumentException when they
    /// are invalid or given without a folder.
    /// </summary>
    /// <param name="p">The parsed command line.</param>
    /// <param name="dataSpec">The --data value.</param>
    /// <param name="stored">The annotations of a resumed run, or null.</param>
    /// <param name="defaults">The image size and center-crop mode when neither the command line nor the run gives them (32, stretched, when null).</param>
    public ImageFolderOptions Read(ParseResult p, string dataSpec, IReadOnlyDictionary<string, string>? stored = null, (int Size, bool CenterCrop)? defaults = null)
    {
        bool Given(Option o) => p.GetResult(o) is { Implicit: false };
        bool Flag(Option<bool> o, string key) => Given(o) ? p.GetValue(o) : stored?.GetValueOrDefault(key) == "true";
        int? size = Given(ImageSize) ? p.GetValue(ImageSize) : int.TryParse(stored?.GetValueOrDefault("imageSize"), out int s) ? s : null;
        bool grey = Flag(Grayscale, "grayscale"), crop = Flag(CenterCrop, "centerCrop"), skip = Flag(SkipBadImages, "skipBadImages");
        bool folder = DataSpec.Split(dataSpec).Kind == "folder";
        if (folder && defaults is var (defaultSize, defaultCrop) && stored is null)
        {
            size ??= defaultSize;
            crop |= !Given(CenterCrop) && defaultCrop;
        }
        if (!folder && (size is not null || grey || crop || skip))
        {
            string given = size is not null ? "--image-size" : grey ? "--grayscale" : crop ? "--center-crop" : "--skip-bad-images";
            throw new ArgumentException($"{given} applies to --data folder:DIR only.");
        }

        if (size is < 0 or > 4096)
            throw new ArgumentException($"--image-size must be between 1 and 4096 pixels (or 0 to keep the images' size), not {size}.");
        Annotations = new Dictionary<string, string>
        {
            ["imageSize"] = size?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
            ["grayscale"] = grey ? "true" : "false",
            ["centerCrop"] = crop ? "true" : "false",
            ["skipBadImages"] = skip ? "true" : "false",
        };
        return new ImageFolderOptions
        {
            ImageSize = size switch { null => 32, 0 => null, int n => n },
            Channels = grey ? 1 : 3,
            ResizeMode = crop ? ImageResizeMode.CenterCrop : ImageResizeMode.Stretch,
            SkipInvalidImages = skip,
            SkipEmptyClassFolders = skip,
        };
    }

    /// <summary>The settings last read, as checkpoint annotations, so that <c>--resume</c> alone reads the folder the same way.</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; private set; } = new Dictionary<string, string>();
}
