using IstaNas.Architecture;
using IstaNas.Choices;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Networks;

/// <summary>
/// The super-net of any model with choices: one decision per choice name (found in <c>named_modules()</c>
/// order; the choices of a shared name are one decision), whose weights are set on the choice before every forward pass. The model is registered as the submodule
/// <c>model</c>, so checkpoints hold its state under <c>model.*</c>.
/// </summary>
internal sealed class ChoiceSuperNet : nn.Module<Tensor, Tensor>, ISuperNet
{
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly Choice[] _choices;
    private readonly Choice[][] _decisions;

    /// <summary>Wraps <paramref name="model"/>, checking it on <paramref name="sample"/> (see <see cref="ChoiceModel.Validate"/>).</summary>
    /// <param name="model">The model; the super-net owns it from now on.</param>
    /// <param name="sample">One batch of inputs of the searched data's shape.</param>
    /// <exception cref="ArgumentException">The model is not a valid search space.</exception>
    public ChoiceSuperNet(nn.Module<Tensor, Tensor> model, Tensor sample)
        : base(nameof(ChoiceSuperNet))
    {
        this.model = model ?? throw new ArgumentNullException(nameof(model));
        var found = ChoiceModel.Validate(model, sample);
        _choices = [.. found.Select(c => c.Choice)];
        _decisions = [.. ChoiceModel.Decisions(found)];
        Decisions = [.. _decisions.Select(d => new Decision(d[0].Name, d[0].Count, d[0].Picks))];
        RegisterComponents();
    }

    /// <summary>The wrapped model.</summary>
    public nn.Module<Tensor, Tensor> Model => model;

    /// <summary>The choices, in <c>named_modules()</c> order (the choices of a shared decision appear once each).</summary>
    public IReadOnlyList<Choice> Choices => _choices;

    /// <inheritdoc />
    public nn.Module<Tensor, Tensor> Module => this;

    /// <inheritdoc />
    public IReadOnlyList<Decision> Decisions { get; }

    /// <inheritdoc />
    public void SetWeights(IReadOnlyList<NodeWeights> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count != _decisions.Length)
            throw new ArgumentException($"The model has {_decisions.Length} decisions, got {weights.Count} weights.", nameof(weights));
        for (int k = 0; k < _decisions.Length; k++)
            foreach (Choice choice in _decisions[k]) choice.SetWeights(weights[k]);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => model.call(input);

    /// <inheritdoc />
    public IEnumerable<Parameter> WeightParameters() => parameters();
}
