using IstaNas.Spaces.Macro;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Tests.Spaces.Macro;

/// <summary>The fixed network of one architecture is NAS-Bench-Macro's <c>Network(arch)</c> (train/model.py).</summary>
public class MacroNetworkTests
{
    private static long Parameters(nn.Module module) => module.parameters().Sum(p => p.numel());

    [Theory]
    [InlineData("00000000", 387_882)]
    [InlineData("11111111", 1_588_874)]
    [InlineData("22222222", 2_932_586)]
    [InlineData("22212220", 1_985_514)]
    public void ExtremesAndTheBestHaveTheTablesParameterCount(string architecture, long expected)
    {
        MacroTable table = MacroTable.Load(MacroTableFile.Path);
        Assert.Equal(expected, table.Lookup(architecture).Parameters);
        using var network = MacroSpace.CreateNetwork(architecture);
        Assert.Equal(expected, Parameters(network));
    }

    [Fact]
    public void ASeededSampleOf200HasTheTablesParameterCounts()
    {
        MacroTable table = MacroTable.Load(MacroTableFile.Path);
        MacroTableEntry[] sample = [.. table.Entries.OrderBy(e => e.Architecture, StringComparer.Ordinal)];
        var random = new Random(19);
        random.Shuffle(sample);
        var wrong = new List<string>();
        foreach (MacroTableEntry entry in sample.Take(200))
        {
            using var network = MacroSpace.CreateNetwork(entry.Architecture);
            long count = Parameters(network);
            if (count != entry.Parameters) wrong.Add($"{entry.Architecture}: {count}, table {entry.Parameters}");
        }

        Assert.True(wrong.Count == 0, string.Join("; ", wrong));
    }

    [Fact]
    public void ParametersAreNamedAndShapedAsInTheBenchmarksStateDict()
    {
        using var network = MacroSpace.CreateNetwork("01200000");
        var shapes = network.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        Assert.Equal([32L, 3, 3, 3], shapes["stem.0.weight"]);
        Assert.Equal([64L, 32, 1, 1], shapes["features.0.downsample.0.weight"]); // Identity at a stride-2 layer: 1x1 conv + BN
        Assert.Equal([64L], shapes["features.0.downsample.1.weight"]);
        Assert.Equal([192L, 64, 1, 1], shapes["features.1.conv.0.weight"]); // k3 e3: 64 * 3 hidden channels
        Assert.Equal([192L, 1, 3, 3], shapes["features.1.conv.3.weight"]);
        Assert.Equal([64L, 192, 1, 1], shapes["features.1.conv.6.weight"]);
        Assert.Equal([384L, 64, 1, 1], shapes["features.2.conv.0.weight"]); // k5 e6, stride 2, 64 to 128
        Assert.Equal([384L, 1, 5, 5], shapes["features.2.conv.3.weight"]);
        Assert.Equal([128L, 384, 1, 1], shapes["features.2.conv.6.weight"]);
        Assert.DoesNotContain(shapes.Keys, k => k.StartsWith("features.3.", StringComparison.Ordinal)); // Identity at a stride-1 layer
        Assert.Equal([1280L, 256, 1, 1], shapes["out.0.weight"]);
        Assert.Equal([10L, 1280], shapes["classifier.weight"]);
        Assert.Equal([10L], shapes["classifier.bias"]);
        Assert.Contains("stem.1.running_mean", network.state_dict().Keys);
        Assert.DoesNotContain(network.modules(), m => m is ReLU6);
        Assert.Equal(1 + (2 * 2) + 1, network.modules().OfType<ReLU>().Count()); // stem, two per MobileNetV2 block, head
    }

    [Fact]
    public void ShortcutsAndStridesFollowTheBenchmark()
    {
        using var network = MacroSpace.CreateNetwork("12121212");
        InvertedResidual[] blocks = [.. network.modules().OfType<InvertedResidual>()];
        Assert.Equal([2, 1, 2, 1, 1, 2, 1, 1], blocks.Select(b => b.Stride));
        Assert.Equal([false, true, false, true, true, false, true, true], blocks.Select(b => b.UseShortcut));
        Assert.Equal([3, 6, 3, 6, 3, 6, 3, 6], blocks.Select(b => b.Expansion));
        Assert.Equal([3, 5, 3, 5, 3, 5, 3, 5], blocks.Select(b => b.KernelSize));
        Assert.All(network.modules().OfType<Conv2d>(), c => Assert.Null(c.bias));
        Assert.All(network.modules().OfType<BatchNorm2d>(), b => Assert.NotNull(b.weight)); // affine, PyTorch's defaults
    }

    [Fact]
    public void MapsImagesToLogitsThroughA4x4FeatureMap()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        using var network = MacroSpace.CreateNetwork("10201002", classCount: 7);
        network.eval();
        Tensor x = torch.randn(2, 3, 32, 32);
        var children = network.named_children().ToDictionary(c => c.name, c => (nn.Module<Tensor, Tensor>)c.module);
        Tensor features = children["features"].call(children["stem"].call(x));
        Assert.Equal([2L, 256, 4, 4], features.shape);
        Tensor logits = network.call(x);
        Assert.Equal([2L, 7], logits.shape);
        Assert.True(logits.isfinite().all().item<bool>());
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        Assert.Throws<ArgumentNullException>(() => MacroSpace.CreateNetwork(null!));
        Assert.Contains("has 7", Assert.Throws<ArgumentException>(() => MacroSpace.CreateNetwork("2221222")).Message);
        Assert.Contains("'3' at position 7", Assert.Throws<ArgumentException>(() => MacroSpace.CreateNetwork("22212223")).Message);
        Assert.Equal("classCount", Assert.Throws<ArgumentOutOfRangeException>(() => MacroSpace.CreateNetwork("22212220", classCount: 0)).ParamName);
        Assert.Equal("inputChannels", Assert.Throws<ArgumentOutOfRangeException>(() => MacroSpace.CreateSearchModel(inputChannels: 0)).ParamName);
    }
}
