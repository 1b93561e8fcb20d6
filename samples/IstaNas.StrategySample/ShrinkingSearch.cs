using System.Text.Json;
using IstaNas.Architecture;
using IstaNas.Choices;
using IstaNas.Networks;
using IstaNas.Strategies;
using Microsoft.Extensions.Logging;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StrategySample;

/// <summary>
/// The hooks of <see cref="ShrinkingStrategy"/> on <see cref="SearchLoop"/>: the super-net and its SGD registered as
/// checkpoint state, alpha saved as named tensors, the candidates still in play as the JSON state value; each step is the
/// library's bilevel step; the end of each epoch drops candidates.
/// </summary>
internal sealed class ShrinkingSearch : SearchLoop
{
    private readonly ISuperNet _net;
    private readonly Parameter[] _weights;
    private readonly Parameter[] _alpha;
    private readonly optim.Optimizer _wOptimizer;
    private readonly optim.Optimizer _alphaOptimizer;
    private int[][] _inPlay;

    public ShrinkingSearch(string name, SearchContext context, ShrinkingOptions o)
        : base(name, context, o)
    {
        // The base seeded torch's generator: the super-net and alpha below are the same in every run of this seed.
        _net = context.CreateSuperNet();
        _net.Module.to(context.Device);
        RegisterModule("super-net", _net.Module);
        _weights = [.. _net.WeightParameters()];
        _alpha = [.. _net.Decisions.Select(d => new Parameter(randn(d.Count, device: context.Device).mul_(1e-3)))];
        _wOptimizer = optim.SGD(_weights, o.LearningRate, o.Momentum, weight_decay: o.WeightDecay);
        _alphaOptimizer = optim.Adam(_alpha, o.ArchitectureLearningRate, 0.5, 0.999, weight_decay: 1e-3);
        RegisterOptimizer("w", _wOptimizer);
        RegisterOptimizer("alpha", _alphaOptimizer);
        _inPlay = [.. _net.Decisions.Select(d => Enumerable.Range(0, d.Count).ToArray())];
    }

    protected override double BeginEpoch(int epoch)
    {
        double lr = CosineLearningRate(epoch);
        foreach (var group in _wOptimizer.ParamGroups) group.LearningRate = lr;
        _net.Module.train();
        return lr;
    }

    protected override void Step(Tensor input, Tensor target, Tensor validInput, Tensor validTarget) =>
        BilevelStep(_net, SetArchitecture, _alpha, _alphaOptimizer, _weights, _wOptimizer);

    protected override EpochReport EndEpoch(EpochReport report)
    {
        for (int k = 0; k < _inPlay.Length; k++)
        {
            Decision d = _net.Decisions[k];
            if (_inPlay[k].Length <= d.Picks) continue;
            float[] alpha;
            using (NewDisposeScope()) alpha = _alpha[k].detach().cpu().data<float>().ToArray();
            int dropped = _inPlay[k].MinBy(j => alpha[j]);
            _inPlay[k] = [.. _inPlay[k].Where(j => j != dropped)];
            Log.LogInformation("Epoch {Epoch}: {Choice} drops candidate {Candidate}, keeps {InPlay}", report.Epoch, d.Key, dropped, string.Join(",", _inPlay[k]));
        }
        return report;
    }

    protected override IReadOnlyDictionary<string, Tensor> StateDict() =>
        _net.Decisions.Select((d, k) => (d.Key, (Tensor)_alpha[k])).ToDictionary(p => "alpha/" + p.Key, p => p.Item2);

    protected override object? StateValue() => _inPlay;

    protected override void LoadStateValue(JsonElement value) =>
        _inPlay = value.Deserialize<int[][]>() is { } inPlay && inPlay.Length == _inPlay.Length
            ? inPlay
            : throw new ArgumentException($"expected the candidates in play of {_inPlay.Length} choices");

    protected override Architecture DeriveArchitecture()
    {
        var choices = new List<ArchitectureChoice>();
        for (int k = 0; k < _inPlay.Length; k++)
        {
            using var scope = NewDisposeScope();
            double[] w = Softmax(k).to(float64).cpu().data<double>().ToArray();
            var picks = _inPlay[k].Select((j, i) => (Candidate: j, Weight: w[i])).OrderByDescending(p => p.Weight).Take(_net.Decisions[k].Picks).OrderBy(p => p.Candidate).ToArray();
            choices.Add(new ArchitectureChoice(_net.Decisions[k].Key, [.. picks.Select(p => p.Candidate)], [.. picks.Select(p => p.Weight)]));
        }
        return new Architecture(choices, "alpha");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            foreach (Parameter a in _alpha) a.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>Every choice runs its candidates in play, weighted by the softmax of their alpha (tensors go to the step's dispose scope).</summary>
    private void SetArchitecture() => _net.SetWeights([.. _inPlay.Select((p, k) => new NodeWeights(p, Softmax(k)))]);

    private Tensor Softmax(int k)
    {
        Tensor alpha = _alpha[k].index_select(0, tensor(_inPlay[k].Select(j => (long)j).ToArray(), device: _alpha[k].device));
        return nn.functional.softmax(alpha, 0);
    }
}
