using System.Reflection;
using IstaNas.Data;
using IstaNas.Evaluation;

namespace IstaNas.Tests;

/// <summary>
/// What the split between the core and this package holds to: the core references neither the image decoder nor the
/// pickle reader, the readers stay internal here, and the package's public surface is its options and the extension
/// members that keep the core's former calls compiling.
/// </summary>
public class PackageLayoutTests
{
    private static readonly Assembly Formats = typeof(SearchBuilderFormats).Assembly;

    [Fact]
    public void TheCoreNeedsNoImageDecoderAndNoPickleReader()
    {
        string[] core = [.. typeof(SearchBuilder).Assembly.GetReferencedAssemblies().Select(a => a.Name!)];
        Assert.DoesNotContain("StbImageSharp", core);
        Assert.DoesNotContain("Razorvine.Pickle", core);
        Assert.Null(typeof(SearchBuilder).Assembly.GetType("IstaNas.Data.ImageFolderOptions"));
        string[] formats = [.. Formats.GetReferencedAssemblies().Select(a => a.Name!)];
        Assert.Contains("StbImageSharp", formats);
        Assert.Contains("Razorvine.Pickle", formats);
    }

    [Fact]
    public void ThePublicSurfaceIsTheOptionsAndTheExtensionMembers()
    {
        Assert.Equal(
            [typeof(ImageDatasetFormats).FullName!, typeof(ImageFolderOptions).FullName!, typeof(TrainedNetworkFormats).FullName!, typeof(SearchBuilderFormats).FullName!],
            Formats.GetExportedTypes()
                .Where(t => !t.Name.StartsWith('<')) // the compiler's grouping types of the extension block on ImageDataset
                .Select(t => t.FullName!).Order(StringComparer.Ordinal));
        Assert.Equal("IstaNas.Data", typeof(ImageFolderOptions).Namespace);
        Assert.Equal("IstaNas", typeof(SearchBuilderFormats).Namespace);
    }

    [Theory]
    [InlineData("IstaNas.Formats.Cifar10")]
    [InlineData("IstaNas.Formats.Cifar100")]
    [InlineData("IstaNas.Formats.Idx")]
    [InlineData("IstaNas.Formats.ImageFolder")]
    [InlineData("IstaNas.Formats.ImageFolderDataset")]
    [InlineData("IstaNas.Formats.ImageDecoder")]
    [InlineData("IstaNas.Formats.Pickle")]
    public void TheReadersStayInternal(string fullName)
    {
        Type? type = Formats.GetType(fullName);
        Assert.True(type is not null, $"{fullName} no longer exists: update this list");
        Assert.False(type!.IsVisible, $"{fullName} is public");
    }
}
