using IstaNas.Choices;
using static TorchSharp.torch;

namespace StrategySample;

/// <summary>A small model with choices: the kernel size of two convolutions, and which feature map the head reads.</summary>
public sealed class TinyNet : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding: 1), nn.BatchNorm2d(8), nn.ReLU());
    private readonly Choice conv1 = Choice.Of("conv1", 1, Conv(3), Conv(5), nn.Identity());
    private readonly Choice conv2 = Choice.Of("conv2", 1, Conv(3), Conv(5), nn.Identity());
    private readonly Choice read = Choice.OverInputs("read", 1, (0, nn.Identity()), (1, nn.Identity()), (2, nn.Identity()))
        .NormalizedBy(nn.BatchNorm2d(8, affine: false));
    private readonly nn.Module<Tensor, Tensor> head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 10));

    /// <summary>Builds the model.</summary>
    public TinyNet()
        : base(nameof(TinyNet)) => RegisterComponents();

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor s = stem.call(input);
        Tensor a = conv1.call(s);
        Tensor b = conv2.call(a);
        return head.call(read.forward([s, a, b])).MoveToOuterDisposeScope();
    }

    private static nn.Module<Tensor, Tensor> Conv(int k) => nn.Sequential(nn.Conv2d(8, 8, k, padding: k / 2), nn.BatchNorm2d(8), nn.ReLU());
}
