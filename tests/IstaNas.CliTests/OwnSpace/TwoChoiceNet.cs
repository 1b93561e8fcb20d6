using IstaNas.Choices;
using IstaNas.Evaluation.Onnx;
using static TorchSharp.torch;

namespace IstaNas.Tests.OwnSpace;

/// <summary>
/// A model of one's own for <c>--space IstaNas.CliTests.dll:IstaNas.Tests.OwnSpace.TwoChoiceNet</c>: one choice of an
/// operation (<see cref="Choice.Of"/>) and one of an input (<see cref="Choice.OverInputs"/>), on 3-channel images, 10 classes.
/// Its forward is its own code, so it describes it to ONNX export through <see cref="IOnnxForward"/>.
/// </summary>
public sealed class TwoChoiceNet : nn.Module<Tensor, Tensor>, IOnnxForward
{
    private readonly nn.Module<Tensor, Tensor> stem = nn.Sequential(nn.Conv2d(3, 4, 3, padding: 1), nn.BatchNorm2d(4), nn.ReLU());
    private readonly Choice block = Choice.Of("block", picks: 1, Conv(3), Conv(5), nn.Identity());
    private readonly Choice read = Choice.OverInputs("read", picks: 1, (0, nn.Identity()), (1, nn.Identity()))
        .NormalizedBy(nn.BatchNorm2d(4, affine: false));
    private readonly nn.Module<Tensor, Tensor> head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 10));

    /// <summary>Builds the model (the CLI calls this constructor).</summary>
    public TwoChoiceNet()
        : base(nameof(TwoChoiceNet)) => RegisterComponents();

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        Tensor s = stem.call(x), b = block.call(s);
        return head.call(read.forward([s, b])).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public string WriteOnnx(OnnxForwardWriter writer, string input)
    {
        string s = writer.Write(stem, input), b = writer.Write(block, s);
        return writer.Write(head, writer.Write(read, [s, b]));
    }

    private static nn.Module<Tensor, Tensor> Conv(int k) => nn.Sequential(nn.Conv2d(4, 4, k, padding: k / 2), nn.BatchNorm2d(4), nn.ReLU());
}
