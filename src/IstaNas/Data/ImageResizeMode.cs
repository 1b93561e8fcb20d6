namespace IstaNas.Data;

/// <summary>How an <see cref="ImageFolderDataset"/> brings every image to its square target size.</summary>
public enum ImageResizeMode
{
    /// <summary>Scale width and height to the target size independently; the aspect ratio is not kept.</summary>
    Stretch,

    /// <summary>
    /// Scale the shorter side to the target size, keeping the aspect ratio, then keep the central square (torchvision's
    /// <c>Resize(size)</c> followed by <c>CenterCrop(size)</c>).
    /// </summary>
    CenterCrop,
}
