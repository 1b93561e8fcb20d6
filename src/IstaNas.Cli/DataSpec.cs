namespace IstaNas.Cli;

/// <summary>The --data argument: synthetic[:count], cifar10:DIR, cifar100:DIR, idx:IMAGES,LABELS, folder:DIR.</summary>
internal static class DataSpec
{
    public const string Help =
        "synthetic[:COUNT] (default), cifar10:DIR (binary or Python version), cifar100:DIR, idx:IMAGES,LABELS or folder:DIR " +
        "(your own images, DIR/<class>/<image>.png|jpg|bmp, of which a fixed, seeded fifth of every class is held out for testing, the same fifth " +
        "evaluate holds out; or DIR/train/<class>/... with DIR/test/... or DIR/val/...)";

    /// <summary>Applies the data choice to the builder; throws ArgumentException with a one-line reason.</summary>
    public static SearchBuilder Apply(SearchBuilder builder, string spec, int seed, Data.ImageFolderOptions? folder = null)
    {
        (string kind, string rest) = Split(spec);
        switch (kind)
        {
            case "synthetic":
                int count = 2000;
                if (rest.Length > 0 && (!int.TryParse(rest, out count) || count < 2))
                    throw new ArgumentException($"--data synthetic:{rest}: the count must be an integer of at least 2.");
                return builder.UseSyntheticDataset(count, seed);
            case "cifar10":
                RequireDirectory(rest, "cifar10");
                return builder.UseCifar10(rest);
            case "cifar100":
                RequireDirectory(rest, "cifar100");
                return builder.UseCifar100(rest);
            case "idx":
                string[] parts = rest.Split(',', StringSplitOptions.TrimEntries);
                if (parts.Length != 2 || parts.Any(string.IsNullOrEmpty))
                    throw new ArgumentException("--data idx:IMAGES,LABELS needs two paths separated by a comma.");
                foreach (string p in parts)
                    if (!File.Exists(p)) throw new ArgumentException($"--data idx: file '{p}' does not exist.");
                return builder.UseIdx(parts[0], parts[1], channels: 3, padTo: 32);
            case "folder":
                RequireDirectory(rest, "folder", "the image folder");
                return builder.UseImageFolder(rest, folder);
            default:
                throw new ArgumentException($"--data '{spec}' is not known; use {Help}.");
        }
    }

    /// <summary>Splits "kind:rest" into the lower-case kind and the rest (empty when there is no colon).</summary>
    public static (string Kind, string Argument) Split(string spec)
    {
        int colon = spec.IndexOf(':');
        return colon < 0
            ? (spec.Trim().ToLowerInvariant(), string.Empty)
            : (spec[..colon].Trim().ToLowerInvariant(), spec[(colon + 1)..]);
    }

    /// <summary>Throws a one-line ArgumentException unless <paramref name="dir"/> names an existing folder.</summary>
    public static void RequireDirectory(string dir, string kind, string what = "the folder of the data files")
    {
        if (string.IsNullOrWhiteSpace(dir))
            throw new ArgumentException($"--data {kind}:DIR needs {what}.");
        if (!Directory.Exists(dir))
            throw new ArgumentException($"--data {kind}: folder '{dir}' does not exist.");
    }
}
