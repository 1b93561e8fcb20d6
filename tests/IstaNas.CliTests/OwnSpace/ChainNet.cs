using IstaNas.Choices;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Tests.OwnSpace;

/// <summary>
/// A model of one's own that exports to ONNX: a <see cref="Sequential"/> (the structure the exporter reads) with two
/// operation choices, one keeping one candidate and one keeping two (summed).
/// </summary>
public sealed class ChainNet : Sequential
{
    /// <summary>Builds the model (the CLI calls this constructor).</summary>
    public ChainNet()
        : base(
            ("stem", nn.Sequential(nn.Conv2d(3, 4, 3, padding: 1), nn.BatchNorm2d(4), nn.ReLU())),
            ("kernel", Choice.Of("kernel", picks: 1, Conv(3), Conv(5), nn.Identity())),
            ("pair", Choice.Of("pair", picks: 2, Conv(1), Conv(3), nn.MaxPool2d(3, 1, 1)).NormalizedBy(nn.BatchNorm2d(4, affine: false))),
            ("head", nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 10))))
    {
    }

    private static nn.Module<Tensor, Tensor> Conv(int k) => nn.Sequential(nn.Conv2d(4, 4, k, padding: k / 2), nn.BatchNorm2d(4), nn.ReLU());
}
