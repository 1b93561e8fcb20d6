using IstaNas.Data;
using IstaNas.Formats;
using Microsoft.Extensions.Logging;

namespace IstaNas;

/// <summary>
/// The file-format data sources of <see cref="SearchBuilder"/>: CIFAR-10/100, IDX and image folders. They are extension
/// methods of this package in the builder's namespace, so <c>builder.UseCifar10(folder)</c> needs only the package;
/// each reads its files at <see cref="SearchBuilder.Build"/> through <see cref="SearchBuilder.UseDataset(Func{ILoggerFactory, LabelledDataset})"/>.
/// </summary>
public static class SearchBuilderFormats
{
    /// <summary>Searches on CIFAR-10's training batches, read from its binary folder (data_batch_1.bin ...) or its Python folder (data_batch_1 ...); the test batch is not read.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="directory">The folder.</param>
    /// <returns>The builder.</returns>
    public static SearchBuilder UseCifar10(this SearchBuilder builder, string directory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        return builder.UseDataset(_ => Cifar10.LoadTrain(directory));
    }

    /// <summary>Searches on CIFAR-100's training set, read from its binary folder (train.bin) or its Python folder (train, meta); the test set is not read.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="directory">The folder.</param>
    /// <param name="coarseLabels">False (default) for the 100 fine classes, true for the 20 coarse ones.</param>
    /// <returns>The builder.</returns>
    public static SearchBuilder UseCifar100(this SearchBuilder builder, string directory, bool coarseLabels = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        return builder.UseDataset(_ => Cifar100.LoadTrain(directory, coarseLabels ? Cifar100LabelKind.Coarse : Cifar100LabelKind.Fine));
    }

    /// <summary>
    /// Searches on your own images, <c>root/&lt;class&gt;/&lt;image&gt;</c> (see <see cref="ImageDatasetFormats.LoadImageFolder"/>). When the folder has
    /// <c>train</c> and <c>test</c> (or <c>val</c>) subfolders, the search uses only the training images; otherwise it
    /// leaves out the seeded <see cref="ImageFolderOptions.TestPortion"/> of every class, held out for testing exactly as
    /// <see cref="ImageDatasetFormats.LoadImageFolderTrainTest"/> does, so a search and a later evaluation of its
    /// genotype on the same folder never train on the images the evaluation tests on. Skipped files are logged through
    /// the builder's logging.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="root">The folder.</param>
    /// <param name="options">Size, channels, resizing, skipping, memory limit, statistics, order; null for the defaults (32×32 RGB).</param>
    /// <returns>The builder.</returns>
    public static SearchBuilder UseImageFolder(this SearchBuilder builder, string root, ImageFolderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        return builder.UseDataset(loggers =>
        {
            ILogger logger = loggers.CreateLogger(typeof(ImageDataset).FullName!);
            var (train, _) = ImageFolder.LoadTrainTest(root, options, logger);
            return train;
        });
    }

    /// <summary>Searches on an MNIST-style IDX pair (images, labels; optionally .gz), read as <see cref="ImageDatasetFormats.LoadIdx"/> does.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="imagesPath">The images file.</param>
    /// <param name="labelsPath">The labels file.</param>
    /// <param name="channels">1 (default) keeps the grey image; 3 replicates it into R, G and B planes.</param>
    /// <param name="padTo">When set, images are zero-padded to this square size (28×28 MNIST to 32×32); null keeps the size.</param>
    /// <returns>The builder.</returns>
    public static SearchBuilder UseIdx(this SearchBuilder builder, string imagesPath, string labelsPath, int channels = 1, int? padTo = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(imagesPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(labelsPath);
        return builder.UseDataset(_ => Idx.Load(imagesPath, labelsPath, new IdxLoadOptions { Channels = channels, PadTo = padTo }));
    }
}
