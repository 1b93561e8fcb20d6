using static TorchSharp.torch;

namespace IstaNas.Tests;

public class TorchLoadsTests
{
    [Fact]
    public void NativeBackendLoadsAndComputes()
    {
        using var a = tensor(new float[] { 1, 2, 3 });
        using var b = a * 2;
        Assert.Equal(12f, b.sum().item<float>());
    }
}
