using IstaNas.Validation;
using TorchSharp;

namespace IstaNas.Networks;

/// <summary>Shared argument checks of the networks.</summary>
internal static class NetworkValidation
{
    /// <summary>
    /// Checks a network's options by their data annotations: an invalid option is an <see cref="ArgumentException"/> whose
    /// parameter is the option (the message lists every failure with its value).
    /// </summary>
    public static T Options<T>(T options)
        where T : NetworkShape
    {
        ArgumentNullException.ThrowIfNull(options);
        return OptionsValidation.ValidateArgument(options, (f, message) => new ArgumentException(message, f.Member));
    }

    public static void Probability(double value, string name)
    {
        if (double.IsNaN(value) || value < 0.0 || value >= 1.0)
        {
            throw new ArgumentException($"{name} must be in [0, 1), got {value}.", name);
        }
    }

    /// <summary>Checks that <paramref name="input"/> is <c>[batch, expectedChannels, height, width]</c>.</summary>
    public static void Images(torch.Tensor input, int expectedChannels, string name)
    {
        ArgumentNullException.ThrowIfNull(input, name);
        if (input.dim() != 4)
        {
            throw new ArgumentException(
                $"Expected a 4-D input [batch, {expectedChannels}, height, width], got shape [{string.Join(", ", input.shape)}].", name);
        }

        if (input.shape[1] != expectedChannels)
        {
            throw new ArgumentException(
                $"Expected {expectedChannels} input channels, got {input.shape[1]} (shape [{string.Join(", ", input.shape)}]).", name);
        }
    }

    /// <summary>
    /// Checks that the image side halves evenly wherever the network halves it with a pair of offset convolutions
    /// (FactorizedReduce) or a stride-2 cell: before each reduction cell and, for the ImageNet layout, after the stem.
    /// An odd side there makes the two halves of the reduction differ by a pixel, which the concatenation cannot join.
    /// </summary>
    public static void ImageSide(torch.Tensor input, NetworkLayout layout, int layers, string name) =>
        ImageSide(input.shape[2], input.shape[3], layout, layers, name);

    /// <summary>As <see cref="ImageSide(torch.Tensor, NetworkLayout, int, string)"/>, for images of the given size.</summary>
    public static void ImageSide(long height, long width, NetworkLayout layout, int layers, string name)
    {
        int reductions = layers / 3 == 2 * layers / 3 ? 1 : 2;
        foreach ((long side, string what) in new[] { (height, "height"), (width, "width") })
        {
            // Sides that must be even: the ImageNet stem's 1/4 output (the first cell reduces it), then each reduction cell's input.
            long s = layout == NetworkLayout.ImageNet ? (((side + 1) / 2) + 1) / 2 : side;
            int halvings = reductions + (layout == NetworkLayout.ImageNet ? 1 : 0);
            if (s % (1L << halvings) == 0) continue;
            string rule = layout == NetworkLayout.ImageNet
                ? "for the ImageNet layout the side after the stem's first two stride-2 convolutions (about side/4) must be a multiple of " +
                  $"{1L << halvings}, as for 224 or any multiple of {4L << halvings}"
                : $"for the CIFAR layout it must be a multiple of {1L << halvings}";
            throw new ArgumentException(
                $"The image {what} {side} does not halve evenly through the network's {reductions} reduction cell(s): {rule}. " +
                "Resize the images (the image folder's ImageSize option, --image-size) or crop them (--crop-size).", name);
        }
    }

    /// <summary>
    /// Checks, before training, that the auxiliary head will get the map it is built for from images of the given size
    /// (<see cref="AuxiliaryHead.AcceptedSide"/>); the head itself checks again at every forward pass.
    /// </summary>
    public static void AuxiliaryInput(long height, long width, NetworkLayout layout, int layers, string name)
    {
        var (min, max) = AuxiliaryHead.AcceptedSide(layout);
        long h = AuxiliaryMapSide(height, layout, layers), w = AuxiliaryMapSide(width, layout, layers);
        if (h >= min && h <= max && w >= min && w <= max) return;
        string images = layout == NetworkLayout.ImageNet ? "224 x 224 images" : "32 x 32 images";
        throw new ArgumentException(
            $"The auxiliary head reads a {min} to {max} pixel map after cell 2L/3, but {height} x {width} images give {h} x {w}: it is built for {images}. " +
            "Train without the auxiliary head (Auxiliary = false, --no-auxiliary) or bring the images to that size.", name);
    }

    /// <summary>The side of the map after cell 2L/3 for images of side <paramref name="side"/> (stride-2 steps round up).</summary>
    private static long AuxiliaryMapSide(long side, NetworkLayout layout, int layers)
    {
        int halvings = (layers / 3 == 2 * layers / 3 ? 1 : 2) + (layout == NetworkLayout.ImageNet ? 3 : 0);
        for (int i = 0; i < halvings; i++) side = (side + 1) / 2;
        return side;
    }

    /// <summary>True when cell <paramref name="index"/> of <paramref name="layers"/> is a reduction cell (L/3 and 2L/3).</summary>
    public static bool IsReduction(int index, int layers) => index == layers / 3 || index == 2 * layers / 3;
}
