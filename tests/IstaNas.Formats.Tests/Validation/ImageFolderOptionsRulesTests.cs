using IstaNas.Data;
using IstaNas.Formats;

namespace IstaNas.Tests.Validation;

/// <summary>The image-folder reader checks its options before it reads the folder, naming the option (moved here from ConvertedRulesTests with the reader).</summary>
public class ImageFolderOptionsRulesTests
{
    private const string NoFolder = "/nonexistent/istanas-options-test"; // the options are checked before the folder

    public static TheoryData<ImageFolderOptions, string> InvalidImageFolderOptions() => new()
    {
        { new ImageFolderOptions { ImageSize = 4097 }, "ImageFolderOptions.ImageSize: ImageSize must be between 1 and 4096 (or null to keep the images' size). (value: 4097)" },
        { new ImageFolderOptions { ResizeMode = (ImageResizeMode)9 }, "ImageFolderOptions.ResizeMode: ResizeMode is not a resize mode. (value: 9)" },
        { new ImageFolderOptions { InMemoryLimitBytes = -1 }, "ImageFolderOptions.InMemoryLimitBytes: InMemoryLimitBytes must be 0 or positive. (value: -1)" },
        { new ImageFolderOptions { StatisticsSampleSize = 0 }, "ImageFolderOptions.StatisticsSampleSize: StatisticsSampleSize must be at least 1. (value: 0)" },
        { new ImageFolderOptions { TestPortion = 0 }, "ImageFolderOptions.TestPortion: TestPortion must be between 0 and 1 (exclusive). (value: 0)" },
        { new ImageFolderOptions { MaxSourcePixels = 0 }, "ImageFolderOptions.MaxSourcePixels: MaxSourcePixels must be positive. (value: 0)" },
        { new ImageFolderOptions { Mean = [0.5f, 0.5f, 0.5f] }, "ImageFolderOptions.Mean, ImageFolderOptions.Std: Mean and Std must be given together" },
        { new ImageFolderOptions { Mean = [0.5f, 0.5f, 0.5f], Std = [0.2f, 0f, 0.2f] }, "ImageFolderOptions.Std: Std must be finite and positive. (value: [0.2, 0, 0.2])" },
    };

    [Theory]
    [MemberData(nameof(InvalidImageFolderOptions))]
    public void ImageFolderRulesFireBeforeTheFolderIsRead(ImageFolderOptions options, string message)
    {
        var ex = Assert.Throws<ArgumentException>(() => ImageFolder.Load(NoFolder, options));
        Assert.Equal("options", ex.ParamName);
        Assert.Contains(message, ex.Message);
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => ImageFolder.LoadTrainTest(NoFolder, options)).Message);
    }
}
