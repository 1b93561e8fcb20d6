using IstaNas.Data;
using IstaNas.Formats;
using TorchSharp;

namespace IstaNas.Evaluation;

/// <summary>Classifying image files with a <see cref="TrainedNetwork"/>: the files are decoded by this package's image reader.</summary>
public static class TrainedNetworkFormats
{
    /// <summary>
    /// Classifies image files (PNG, JPEG, BMP) as the network saw its training images: each file is decoded, brought to
    /// the size in <see cref="TrainedNetwork.Metadata"/> (<see cref="ModelMetadata.ResizeSize"/> with <see cref="ModelMetadata.ResizeMode"/>,
    /// then the central window; or straight to the image size), normalised and classified by
    /// <see cref="TrainedNetwork.Predict"/>, 64 files at a time.
    /// </summary>
    /// <param name="network">The network.</param>
    /// <param name="paths">The files.</param>
    /// <param name="topK">How many classes each prediction lists (at most the class count).</param>
    /// <returns>One prediction per file, in order.</returns>
    /// <exception cref="InvalidOperationException">The network does not record the image size it was trained on (decode the images yourself and call <see cref="TrainedNetwork.Predict"/>).</exception>
    /// <exception cref="DataFormatException">A file is not a readable PNG, JPEG or BMP image (the message names it).</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="ObjectDisposedException">The network is disposed.</exception>
    public static IReadOnlyList<Prediction> PredictFiles(this TrainedNetwork network, IEnumerable<string> paths, int topK = 5)
    {
        ArgumentNullException.ThrowIfNull(network);
        network.ThrowIfDisposed(); // before any file is read
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        ModelMetadata metadata = network.Metadata;
        if (metadata.ImageHeight is not int height || metadata.ImageWidth is not int width)
            throw new InvalidOperationException("The network does not record the image size it was trained on; decode the images to that size yourself and call Predict.");
        int? side = metadata.ResizeSize ?? (height == width ? height : null);
        int decodedHeight = side ?? height, decodedWidth = side ?? width, channels = network.InputChannels;
        long maxSourcePixels = new ImageFolderOptions().MaxSourcePixels;
        var results = new List<Prediction>();
        foreach (string[] chunk in paths.Chunk(64))
        {
            var pixels = new byte[chunk.Length * channels * decodedHeight * decodedWidth];
            int size = channels * decodedHeight * decodedWidth;
            for (int i = 0; i < chunk.Length; i++)
            {
                ArgumentException.ThrowIfNullOrWhiteSpace(chunk[i], nameof(paths));
                ImageDecoder.Decode(chunk[i], channels, side, metadata.ResizeMode ?? ImageResizeMode.Stretch, decodedHeight, decodedWidth,
                    maxSourcePixels, pixels.AsSpan(i * size, size));
            }

            using var scope = torch.NewDisposeScope();
            torch.Tensor batch = torch.tensor(pixels, [chunk.Length, channels, decodedHeight, decodedWidth]);
            if (decodedHeight != height || decodedWidth != width)
            {
                long top = (long)Math.Round((decodedHeight - height) / 2.0, MidpointRounding.ToEven), left = (long)Math.Round((decodedWidth - width) / 2.0, MidpointRounding.ToEven);
                batch = batch.narrow(2, top, height).narrow(3, left, width).contiguous();
            }

            results.AddRange(network.Predict(batch, topK));
        }

        return results;
    }
}
