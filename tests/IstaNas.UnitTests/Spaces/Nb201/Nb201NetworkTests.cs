using IstaNas.Choices;
using IstaNas.Spaces.Nb201;
using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Tests.Spaces.Nb201;

public class Nb201NetworkTests
{
    /// <summary>
    /// Parameter counts of the reference's inference network for 10 classes, C = 16, N = 5: D-X-Y/AutoDL-Projects (commit
    /// f46486e), <c>get_cell_based_tiny_net({"name": "infer.tiny", "C": 16, "N": 5, "genotype":
    /// Structure.str2structure(arch), "num_classes": 10})</c>, <c>sum(p.numel() for p in net.parameters())</c>, run with
    /// Debian's python3-torch 1.13.1.
    /// </summary>
    [Theory]
    [InlineData("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|", 1_531_546)]
    [InlineData("|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|", 73_306)]
    [InlineData("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|", 1_288_506)]
    [InlineData("|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|", 129_306)]
    [InlineData("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", 73_306)]
    [InlineData("|nor_conv_1x1~0|+|nor_conv_1x1~0|nor_conv_1x1~1|+|nor_conv_1x1~0|nor_conv_1x1~1|nor_conv_1x1~2|", 241_306)]
    public void TheInferenceNetworkHasTheReferencesParameterCount(string arch, long expected)
    {
        using var net = Nb201Space.Network(Nb201Architecture.Parse(arch));
        Assert.Equal(expected, net.parameters().Sum(p => p.numel()));
    }

    /// <summary>
    /// The reference's DARTS-V1 search model (<c>get_cell_based_tiny_net({"name": "DARTS-V1", "C": 16, "N": 5,
    /// "max_nodes": 4, "num_classes": 10, "space": NAS_BENCH_201, "affine": False, "track_running_stats": False})</c>)
    /// has 1,692,826 weights in <c>get_weights()</c> (its non-affine cell convolutions carry a bias), same run as above.
    /// </summary>
    [Fact]
    public void TheSearchModelHasTheReferencesWeightCountAndSixSharedDecisions()
    {
        using var model = Nb201Space.SearchModel();
        Assert.Equal(1_692_826L, model.parameters().Sum(p => p.numel()));
        var choices = model.modules().OfType<Choice>().ToList();
        Assert.Equal(90, choices.Count);
        var groups = choices.GroupBy(c => c.Name).ToList();
        Assert.Equal(Nb201Architecture.EdgeNames, groups.Select(g => g.Key));
        Assert.All(groups, g => Assert.Equal(15, g.Count()));
        Assert.All(choices, c => Assert.Equal(Nb201Architecture.Operations, c.Labels));
        Assert.All(choices, c => Assert.Equal(1, c.Picks));
    }

    /// <summary>
    /// The one-stage super-net has the inference network's BN (affine, running statistics, convolutions without bias): fixed to
    /// a cell, the weights that run are exactly the inference network's (the reference's counts above), name for name.
    /// </summary>
    [Theory]
    [InlineData("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|", 1_288_506)]
    [InlineData("|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|", 129_306)]
    public void TheOneStageSuperNetFixedToACellRunsTheInferenceNetworksWeights(string arch, long expected)
    {
        var cell = Nb201Architecture.Parse(arch);
        using var model = Nb201Space.OneStageSearchModel();
        Nb201Space.Fix(model, cell);
        Assert.Equal(expected, IstaNas.Evaluation.FixedModel.ParameterCount(model));
        Assert.All(model.modules().OfType<TorchSharp.Modules.BatchNorm2d>(), bn => Assert.True(bn.weight is not null && bn.track_running_stats));
        Assert.DoesNotContain(model.named_parameters(), p => p.name.EndsWith(".conv.bias", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|")]
    [InlineData("|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|none~1|skip_connect~2|")]
    public void TheFixedSearchModelComputesWhatTheInferenceNetworkComputesWithTheSameWeights(string arch)
    {
        using var scope = torch.NewDisposeScope();
        var cell = Nb201Architecture.Parse(arch);
        torch.manual_seed(7);
        using var search = Nb201Space.SearchModel();
        Nb201Space.Fix(search, cell);
        using var infer = Nb201Space.Network(cell);
        var source = search.state_dict();
        using (torch.no_grad())
        {
            foreach (var (name, value) in source.Where(kv => kv.Key.EndsWith(".conv.bias", StringComparison.Ordinal))) value.zero_();
            int copied = 0;
            foreach (var (name, target) in infer.state_dict())
            {
                string key = System.Text.RegularExpressions.Regex.Replace(name, @"\.layers\.(\d)\.",
                    m => $".edges.{m.Groups[1].Value}.candidates.{cell.Edges[int.Parse(m.Groups[1].Value)]}.");
                if (source.TryGetValue(key, out Tensor? value))
                {
                    target.copy_(value);
                    copied++;
                }
                else
                {
                    // Only the cells' BN scale/shift and running statistics are absent from the non-affine search cells: they stay at 1/0.
                    Assert.Matches(@"^cells\.\d+\.layers\.\d\.bn\.", name);
                }
            }

            Assert.True(copied > 20, $"only {copied} tensors copied");
        }

        Tensor x = torch.randn(4, 3, 32, 32);
        search.train();
        infer.train();
        Tensor expected = infer.call(x);
        Tensor actual = search.call(x);
        Assert.Equal([4L, 10L], actual.shape);
        Assert.True(actual.allclose(expected, rtol: 1e-4, atol: 1e-5), $"max difference {actual.sub(expected).abs().max().item<float>()}");
    }

    [Fact]
    public void TheProxiesFixedSearchModelComputesWhatTheFixedSearchModelComputes()
    {
        using var scope = torch.NewDisposeScope();
        var cell = Nb201Architecture.Parse("|nor_conv_1x1~0|+|avg_pool_3x3~0|nor_conv_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|");
        torch.manual_seed(8);
        using var search = Nb201Space.SearchModel(batchNorm: false);
        Nb201Space.Fix(search, cell);
        using var small = Nb201Space.FixedSearchModel(cell, batchNorm: false);
        var source = search.state_dict();
        var target = small.state_dict();
        using (torch.no_grad())
        {
            foreach (var (name, value) in target)
            {
                string key = System.Text.RegularExpressions.Regex.Replace(name, @"\.layers\.(\d)\.",
                    m => $".edges.{m.Groups[1].Value}.candidates.{cell.Edges[int.Parse(m.Groups[1].Value)]}.");
                value.copy_(source[key]);
            }
        }

        Assert.True(target.Count > 20);
        Tensor x = torch.randn(2, 3, 32, 32);
        Assert.True(small.call(x).allclose(search.call(x), rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void TheSearchModelNeedsAnArchitectureOrWeightsBeforeItRuns()
    {
        using var scope = torch.NewDisposeScope();
        using var model = Nb201Space.SearchModel(channels: 4, cellsPerStage: 1);
        var error = Assert.Throws<InvalidOperationException>(() => model.call(torch.randn(2, 3, 8, 8)));
        Assert.Contains("1<-0", error.Message);
    }

    [Fact]
    public void BadSizesAreRejected()
    {
        var cell = Nb201Architecture.Uniform("skip_connect");
        Assert.Contains("N = 5", Assert.Throws<ArgumentOutOfRangeException>(() => Nb201Space.Network(cell, cellsPerStage: 0)).Message);
        Assert.Contains("C = 16", Assert.Throws<ArgumentOutOfRangeException>(() => Nb201Space.Network(cell, channels: 0)).Message);
        Assert.Contains("Nb201Space.SearchModel", Assert.Throws<ArgumentException>(() => Nb201Space.Fix(nn.Linear(2, 2), cell)).Message);
    }
}
