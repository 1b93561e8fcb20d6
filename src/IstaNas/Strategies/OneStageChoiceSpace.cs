using IstaNas.Architecture;
using IstaNas.Choices;
using IstaNas.Data;
using IstaNas.Evaluation;
using IstaNas.Networks;
using IstaNas.SearchSpace;
using Microsoft.Extensions.Logging;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using ChoiceArchitecture = IstaNas.Choices.Architecture;

namespace IstaNas.Strategies;

/// <summary>
/// One-stage search on a model with choices (<see cref="OneStageRun"/>; <c>SearchBuilder.UseSpace</c>): every choice is a
/// decision of the compressed space; the model trains as it is built (no auxiliary head, no drop path). The result holds a
/// fresh model of the space with the trained weights, fixed to the picks, alpha absorbed into the final BN of the picks
/// that end in one and kept as a constant scale on the others (<see cref="OneStageCandidates"/>).
/// </summary>
internal sealed class OneStageChoiceSpace : OneStageSpace
{
    private readonly ChoiceSuperNet _net;
    private readonly CompressedSearchSpace _space;
    private readonly OneStageCandidates _candidates;

    /// <summary>Builds the super-net, then the space over its choices, on the context's device.</summary>
    public OneStageChoiceSpace(SearchContext context)
    {
        (_net, _space) = SuperNets.CompressedChoiceSpace(context);
        _net.to(context.Device);
        _candidates = new OneStageCandidates(_space.Decisions, _net.Choices);
    }

    public override CompressedSearchSpace Space => _space;

    public override ISuperNet Net => _net;

    public override IReadOnlyList<Decision> FingerprintDecisions => _space.Decisions;

    public override void SetTrainable(int decision, IEnumerable<int> candidates, bool trainable) => _candidates.SetTrainable(decision, candidates, trainable);

    public override void LogStart(ILogger log, SearchContext context, OneStageOptions o, int stepsPerEpoch)
    {
        log.LogInformation(
            "One-stage search of {Choices} choices on {Dataset} ({Count} samples): batch {Batch}, {Steps} steps per epoch, epsilon {Epsilon}, " +
            "budget {Budget} M parameters, search cap {Cap}, then {Epochs} training epochs; {Decisions}",
            _space.Decisions.Count, context.Train.Name, context.Train.Count, o.BatchSize, stepsPerEpoch, o.Epsilon,
            o.ParameterBudgetMillions?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no",
            o.MaxSearchEpochs?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none", o.Epochs, SuperNets.Describe(_space.Decisions));
        if (o.Auxiliary || o.DropPathProbability > 0)
            log.LogInformation("The auxiliary head and drop path belong to the DARTS cell network; a model of your own trains as it is built (they are not used).");
        foreach (string line in _candidates.Describe()) log.LogInformation("One-stage {Line}", line);
    }

    public override double SetDropPath(double probability) => 0;

    public override (Tensor Logits, Tensor Loss, Tensor Objective) Forward(Batch batch, double auxiliaryWeight)
    {
        (Tensor logits, Tensor loss) = BilevelStep.ForwardReleasingIntermediates(_net, batch);
        return (logits, loss, loss);
    }

    public override void LogFrozen(ILogger log, int frozen) =>
        log.LogInformation("frozen {Frozen}/{Decisions}{NewLine}{Architecture}", frozen, _space.Decisions.Count, Environment.NewLine, ChoiceArchitectures.OfSpace(_space));

    public override void LogFreeze(ILogger log, int decision) =>
        log.LogInformation("Froze choice '{Choice}' at [{Picks}].", _space.Decisions[decision].Key, string.Join(", ", _space.Support(decision).Order()));

    /// <summary>Parameters (millions) of the model fixed to the current picks: those of the model less those of the candidates not picked.</summary>
    public override double DerivedParameterMillions()
    {
        IReadOnlyDictionary<string, int[]> picks = _space.Picks();
        var idle = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        foreach (Choice choice in _net.Choices)
            for (int j = 0; j < choice.Count; j++)
                if (!picks[choice.Name].Contains(j)) idle.UnionWith(choice.Candidate(j).parameters());
        return _net.Model.parameters().Where(p => !idle.Contains(p)).Sum(p => p.numel()) / 1e6;
    }

    /// <summary>
    /// A fresh model of the space with the trained weights, fixed to the picks with alpha absorbed or kept as a scale,
    /// checked against the super-net.
    /// </summary>
    public override SearchResult Export(SearchResult result, Func<Batch> probe, SearchContext context, ILogger log)
    {
        nn.Module<Tensor, Tensor> model = context.Space!() ?? throw new InvalidOperationException("The space's model factory returned null.");
        double error;
        IReadOnlyList<NodeWeights> alphas;
        try
        {
            model.to(context.Device);
            using (NewDisposeScope())
            using (no_grad())
            {
                alphas = _space.ArchitectureWeights();
                _net.SetWeights(alphas);
                Dictionary<string, string> searched = FixedModel.Layout(_net.Model), built = FixedModel.Layout(model);
                string? differs = searched.Keys.Concat(built.Keys).FirstOrDefault(k => searched.GetValueOrDefault(k) != built.GetValueOrDefault(k));
                if (differs is not null)
                    throw new InvalidOperationException(
                        $"The space's factory built a model ({model.GetType().Name}) whose parameters and buffers differ from the searched one's, so the trained " +
                        $"weights do not fit it: '{differs}' is {searched.GetValueOrDefault(differs) ?? "absent"} in the searched model and {built.GetValueOrDefault(differs) ?? "absent"} " +
                        "in the new one. The factory must build the same model every time (SearchBuilder.UseSpace).");
                model.load_state_dict(_net.Model.state_dict());
                _candidates.AbsorbAndFix(model, alphas);
                // Check the fixed model on a real batch: in eval mode both compute the same function.
                using Batch batch = probe();
                _net.eval();
                model.eval();
                error = (model.call(batch.Images) - _net.forward(batch.Images)).abs().max().item<float>();
                alphas = [.. alphas.Select(a => new NodeWeights(a.Candidates, a.Weights.detach().cpu().clone().DetachFromDisposeScope()))];
            }
        }
        catch
        {
            model.Dispose();
            throw;
        }

        ChoiceArchitecture architecture = AlphaArchitecture(alphas);
        foreach (NodeWeights a in alphas) a.Weights.Dispose();
        log.LogInformation("The fixed model of the architecture ({Params:0.###} M parameters that run; max output difference to the super-net {Error:0.###e0}).",
            FixedModel.ParameterCount(model) / 1e6, error);
        return result with
        {
            Architecture = architecture,
            Model = model,
            AbsorptionMaxError = error,
            Metadata = ModelMetadata.FromDataset(context.Train) with { InputShape = [.. context.Train.SampleShape] },
        };
    }

    /// <summary>Per decision its picks (ascending) scored by their frozen alpha.</summary>
    private ChoiceArchitecture AlphaArchitecture(IReadOnlyList<NodeWeights> alphas) =>
        new(_space.Decisions.Select((d, k) =>
        {
            float[] alpha = alphas[k].Weights.data<float>().ToArray();
            int[] picks = [.. alphas[k].Candidates.Order()];
            return new ArchitectureChoice(d.Key, picks, [.. picks.Select(j => (double)alpha[Array.IndexOf(alphas[k].Candidates, j)])]);
        }), "alpha");
}
