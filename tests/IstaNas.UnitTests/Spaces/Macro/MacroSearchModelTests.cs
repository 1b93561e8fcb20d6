using IstaNas.Architecture;
using IstaNas.Choices;
using IstaNas.Spaces.Macro;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Tests.Spaces.Macro;

/// <summary>The search model: the benchmark's network with one Choice per layer; fixed, it is the benchmark's network of its picks.</summary>
public class MacroSearchModelTests
{
    private static Choice[] Choices(nn.Module model) => [.. model.modules().OfType<Choice>()];

    private static Dictionary<string, nn.Module<Tensor, Tensor>> Children(nn.Module model) =>
        model.named_children().ToDictionary(c => c.name, c => (nn.Module<Tensor, Tensor>)c.module);

    /// <summary>Random BN statistics and affine parameters, so that copying them is checked too.</summary>
    private static void Randomize(nn.Module model)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        foreach (BatchNorm2d bn in model.modules().OfType<BatchNorm2d>())
        {
            bn.running_mean!.copy_(torch.randn_like(bn.running_mean) * 0.1);
            bn.running_var!.copy_(torch.rand_like(bn.running_var) + 0.5);
            bn.weight?.copy_(torch.rand_like(bn.weight) + 0.5);
            bn.bias?.copy_(torch.randn_like(bn.bias) * 0.1);
        }
    }

    /// <summary>Copies the search model's stem, head and picked candidates into the network (features.i.candidates.p.* to features.i.*).</summary>
    private static void CopyPicked(nn.Module search, nn.Module network, string architecture)
    {
        Dictionary<string, Tensor> source = search.state_dict();
        using var noGrad = torch.no_grad();
        foreach ((string name, Tensor target) in network.state_dict())
        {
            string[] parts = name.Split('.', 3);
            string key = parts[0] == "features" ? $"features.{parts[1]}.candidates.{architecture[int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)]}.{parts[2]}" : name;
            Assert.True(source.ContainsKey(key), $"{name} has no counterpart {key} in the search model");
            target.copy_(source[key]);
        }
    }

    [Fact]
    public void HasOneChoicePerLayerOfTheThreeLabelledCandidates()
    {
        using var model = MacroSpace.CreateSearchModel();
        Choice[] choices = Choices(model);
        Assert.Equal(["layer0", "layer1", "layer2", "layer3", "layer4", "layer5", "layer6", "layer7"], choices.Select(c => c.Name));
        Assert.Equal(MacroSpace.ChoiceNames, choices.Select(c => c.Name));
        Assert.All(choices, c =>
        {
            Assert.Equal(1, c.Picks);
            Assert.Equal(["identity", "mb_k3_e3", "mb_k5_e6"], c.Labels);
            Assert.IsType<BatchNorm2d>(c.Normalization);
            Assert.Null(((BatchNorm2d)c.Normalization!).weight); // non-affine, as DARTS' search BNs
        });

        // The benchmark's Identity: a 1x1 convolution and BN where the layer halves the resolution, nothing elsewhere.
        Assert.Equal((32 * 64) + (2 * 64), choices[0].Candidate(0).parameters().Sum(p => p.numel()));
        Assert.IsType<Identity>(choices[1].Candidate(0));
        Assert.Equal([0, 2, 0, 0, 2, 0, 0], new[] { 1, 2, 3, 4, 5, 6, 7 }.Select(i => choices[i].Candidate(0) is Identity ? 0 : 2));
        using var bare = MacroSpace.CreateSearchModel(normalizeLayers: false);
        Assert.All(Choices(bare), c => Assert.Null(c.Normalization));
    }

    [Theory]
    [InlineData("22212220")]
    [InlineData("01200102")]
    [InlineData("00000000")]
    public void FixedWithoutNormalisationItIsTheBenchmarksNetworkOfItsPicks(string architecture)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(5);
        using var search = MacroSpace.CreateSearchModel(normalizeLayers: false);
        Randomize(search);
        IReadOnlyDictionary<string, int[]> picks = MacroSpace.ToPicks(architecture);
        foreach (Choice choice in Choices(search)) choice.Fix(picks[choice.Name]);
        using var network = MacroSpace.CreateNetwork(architecture);
        CopyPicked(search, network, architecture);
        Assert.Equal(network.parameters().Sum(p => p.numel()),
            search.named_parameters().Where(p => !p.name.StartsWith("features.", StringComparison.Ordinal) || p.name.Split('.')[3] == architecture[int.Parse(p.name.Split('.')[1], System.Globalization.CultureInfo.InvariantCulture)].ToString()).Sum(p => p.parameter.numel()));

        Tensor x = torch.randn(3, 3, 32, 32);
        search.eval();
        network.eval();
        Assert.True(search.call(x).Same(network.call(x)), "eval mode");
        search.train();
        network.train();
        Assert.True(search.call(x).Same(network.call(x)), "train mode (batch statistics)");
    }

    [Fact]
    public void FixedWithNormalisationItIsTheBenchmarksNetworkWithTheLayersNormalised()
    {
        using var scope = torch.NewDisposeScope();
        const string architecture = "12012021";
        torch.manual_seed(6);
        using var search = MacroSpace.CreateSearchModel();
        Randomize(search);
        Choice[] choices = Choices(search);
        foreach (Choice choice in choices) choice.Fix(MacroSpace.ToPicks(architecture)[choice.Name]);
        using var network = MacroSpace.CreateNetwork(architecture);
        CopyPicked(search, network, architecture);
        search.eval();
        network.eval();

        Tensor x = torch.randn(2, 3, 32, 32);
        var parts = Children(network);
        Tensor h = parts["stem"].call(x);
        var layers = parts["features"].children().Cast<nn.Module<Tensor, Tensor>>().ToArray();
        for (int i = 0; i < layers.Length; i++) h = choices[i].Normalization!.call(layers[i].call(h));
        Tensor expected = parts["classifier"].call(parts["flatten"].call(parts["out"].call(h)));
        Assert.True(search.call(x).Same(expected));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void NormalisationKeepsTheSignalOfTinyAlphasAlive(bool normalizeLayers)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        using var model = MacroSpace.CreateSearchModel(normalizeLayers: normalizeLayers);
        const string architecture = "10011001"; // identities after blocks: the scaled output reaches shortcuts and the next identity
        Tensor alpha = torch.tensor(new float[] { 1e-3f }); // the scale of alpha at the start of an ISTA-NAS search
        Choice[] choices = Choices(model);
        for (int i = 0; i < choices.Length; i++) choices[i].SetWeights(new NodeWeights([architecture[i] - '0'], alpha));
        Tensor x = torch.randn(16, 3, 32, 32);
        Tensor h = Children(model)["stem"].call(x);
        var deviations = new List<float>();
        foreach (Choice choice in choices)
        {
            h = choice.call(h);
            deviations.Add(h.std().item<float>());
        }

        Tensor logits = model.call(x);
        Assert.Equal([16L, 10], logits.shape);
        Assert.True(logits.isfinite().all().item<bool>());
        if (normalizeLayers)
        {
            // Each layer's output stays of order 1 (BN's eps still damps alpha * x a little: var 1e-6 against eps 1e-5).
            Assert.True(deviations.Min() > 0.05f, string.Join(", ", deviations));
        }
        else
        {
            // Without it the scales multiply along identities and shortcuts: 1e-3 after one layer, ~1e-7 after two.
            Assert.True(deviations.Max() < 2e-3f, string.Join(", ", deviations));
            Assert.True(deviations.Min() < 1e-6f, string.Join(", ", deviations));
        }
    }
}
