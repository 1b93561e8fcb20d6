namespace IstaNas.Data;

/// <summary>How an image folder's reader (IstaNas.Formats) brings every image to its square target size; see <see cref="ImageDataset.ResizeMode"/>.</summary>
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
