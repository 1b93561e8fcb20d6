using TorchSharp;

namespace IstaNas.Data;

/// <summary>
/// One mini-batch produced by a <see cref="DataLoader"/>. The batch owns its two tensors: the consumer must dispose
/// the batch (for example with <c>using var batch = …</c> inside the <c>foreach</c>) or move the tensors elsewhere.
/// The tensors are not attached to any dispose scope.
/// </summary>
public sealed class Batch : IDisposable
{
    internal Batch(torch.Tensor images, torch.Tensor labels, int epoch, int index, int[] sampleIndices)
    {
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
