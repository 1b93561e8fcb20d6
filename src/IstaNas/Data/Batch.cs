using TorchSharp;

namespace IstaNas.Data;

/// <summary>
/// One mini-batch produced by a <see cref="BatchLoader"/>. The batch owns its two tensors: the consumer must dispose
/// the batch (for example with <c>using var batch = …</c> inside the <c>foreach</c>) or move the tensors elsewhere.
/// The tensors are not attached to any dispose scope.
/// </summary>
internal sealed class Batch : IDisposable
{
    /// <summary>Creates a batch that takes ownership of <paramref name="images"/> and <paramref name="labels"/>.</summary>
    /// <param name="images">Float32 images [B, C, H, W].</param>
    /// <param name="labels">Int64 labels [B].</param>
    /// <param name="epoch">Epoch the batch belongs to.</param>
    /// <param name="index">Index of the batch within its epoch.</param>
    /// <param name="sampleIndices">Data set indices of the B samples, in order.</param>
    public Batch(torch.Tensor images, torch.Tensor labels, int epoch, int index, IReadOnlyList<int> sampleIndices)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(sampleIndices);
        Images = images;
        Labels = labels;
        Epoch = epoch;
        Index = index;
        SampleIndices = sampleIndices;
    }

    /// <summary>Normalised (and possibly augmented) images, float32 [B, C, H, W], on the loader's device.</summary>
    public torch.Tensor Images { get; }

    /// <summary>Class labels, int64 [B], on the loader's device.</summary>
    public torch.Tensor Labels { get; }

    /// <summary>Number of samples B.</summary>
    public int Count => SampleIndices.Count;

    /// <summary>The epoch this batch belongs to.</summary>
    public int Epoch { get; }

    /// <summary>Index of this batch within its epoch.</summary>
    public int Index { get; }

    /// <summary>Indices into the data set of the samples in this batch, in order.</summary>
    public IReadOnlyList<int> SampleIndices { get; }

    /// <summary>Disposes both tensors.</summary>
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
