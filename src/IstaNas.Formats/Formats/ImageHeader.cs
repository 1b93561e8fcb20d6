namespace IstaNas.Formats;

/// <summary>The three image file formats an <see cref="ImageFolderDataset"/> reads.</summary>
internal enum ImageKind
{
    Png,
    Jpeg,
    Bmp,
}

/// <summary>What the header of an image file says: its format and size.</summary>
internal readonly record struct ImageHeader(ImageKind Kind, int Width, int Height)
{
    public string Format => Kind switch { ImageKind.Png => "PNG", ImageKind.Jpeg => "JPEG", _ => "BMP" };

    public override string ToString() => $"{Width}x{Height}";
}
