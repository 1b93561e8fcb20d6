using IstaNas.Data;
using IstaNas.Evaluation;

namespace IstaNas.Tests.Data;

/// <summary>
/// An image folder tells the core how its files were resized through <see cref="ImageDataset.ResizeMode"/>, which a
/// trained network's metadata records (before the split the metadata asked for the reader's own type).
/// </summary>
public class ResizeModeTests
{
    [Theory]
    [InlineData(ImageResizeMode.Stretch)]
    [InlineData(ImageResizeMode.CenterCrop)]
    public void AnImageFolderReportsItsResizeModeAndTheMetadataRecordsIt(ImageResizeMode mode)
    {
        using var dir = new TempDirectory();
        TestImages.WriteFolder(dir.Path, ["a", "b"], perClass: 2, size: 10);
        ImageDataset folder = ImageDataset.LoadImageFolder(dir.Path, new ImageFolderOptions { ImageSize = 8, ResizeMode = mode });
        Assert.Equal(mode, folder.ResizeMode);
        Assert.Equal(mode, ModelMetadata.FromDataset(folder).ResizeMode);

        // A view is not the folder: as before, its metadata records no resize mode.
        ImageDataset view = folder.Subset([0, 1]);
        Assert.Null(view.ResizeMode);
        Assert.Null(ModelMetadata.FromDataset(view).ResizeMode);
    }

    [Fact]
    public void DataSetsNotReadFromImageFilesHaveNoResizeMode()
    {
        ImageDataset pixels = ImageDataset.FromPixels("p", new byte[2 * 3 * 4 * 4], [0, 1], 3, 4, 4, 2);
        Assert.Null(pixels.ResizeMode);
        Assert.Null(ModelMetadata.FromDataset(pixels).ResizeMode);
    }
}
