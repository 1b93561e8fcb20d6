using IstaNas.Choices;
using static TorchSharp.torch;

namespace IstaNas.Tests.Choices;

/// <summary>
/// A small user-defined search space with two kinds of choices: the kernel size of two convolutions (3, 5 or 1) and
/// which earlier feature map (stem, first or second convolution) the head reads (an <see cref="Choice.OverInputs"/>
/// choice, normalised since its output feeds the head directly).
/// </summary>
internal sealed class TinyChoiceNet : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> stem;
    private readonly Choice conv1;
    private readonly Choice conv2;
    private readonly Choice read;
    private readonly nn.Module<Tensor, Tensor> head;

    public TinyChoiceNet(int channels = 6, int classes = 10, int inputChannels = 3)
        : base(nameof(TinyChoiceNet))
    {
        stem = nn.Sequential(nn.Conv2d(inputChannels, channels, 3, padding: 1, bias: false), nn.BatchNorm2d(channels), nn.ReLU());
        conv1 = Choice.Of("conv1", 1, Conv(channels, 3), Conv(channels, 5), Conv(channels, 1)).WithLabels("k3", "k5", "k1");
        conv2 = Choice.Of("conv2", 1, Conv(channels, 3), Conv(channels, 5), Conv(channels, 1)).WithLabels("k3", "k5", "k1");
        read = Choice.OverInputs("read", 1, (0, nn.Identity()), (1, nn.Identity()), (2, nn.Identity()))
            .WithLabels("stem", "conv1", "conv2")
            .NormalizedBy(nn.BatchNorm2d(channels, affine: false));
        head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, classes));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor s = stem.call(input);
        Tensor a = conv1.call(s);
        Tensor b = conv2.call(a);
        return head.call(read.forward([s, a, b])).MoveToOuterDisposeScope();
    }

    private static nn.Module<Tensor, Tensor> Conv(int channels, int kernel) =>
        nn.Sequential(nn.ReLU(), nn.Conv2d(channels, channels, kernel, padding: kernel / 2, bias: false), nn.BatchNorm2d(channels, affine: false));
}
