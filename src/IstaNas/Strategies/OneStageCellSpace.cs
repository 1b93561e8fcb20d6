using IstaNas.Architecture;
using IstaNas.Data;
using IstaNas.Evaluation;
using IstaNas.Networks;
using IstaNas.SearchSpace;
using IstaNas.SparseCoding;
using IstaNas.Training;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Strategies;

/// <summary>
/// One-stage search on the DARTS cell (<see cref="OneStageRun"/>): the super-net has the target network's settings and a
/// BN at the end of every candidate (appended to pools and the identity skip), an auxiliary head and drop path if asked;
/// a node's candidates are its BNs in every cell of its type; the result is the evaluation network of the genotype with
/// every alpha absorbed into its BNs (<see cref="BatchNormAbsorption"/>).
/// </summary>
internal sealed class OneStageCellSpace : OneStageSpace
{
    private readonly CompressedSearchSpace _space;
    private readonly SuperNet _net;

    /// <summary>Builds the space, then the super-net (the order that fixes the random draws), on the context's device.</summary>
    public OneStageCellSpace(SearchContext context, OneStageOptions o)
    {
        _space = new CompressedSearchSpace(context.SearchSpace, SparseCoder.Create(context.SparseCoder), context.Seed, context.Device);
        _net = new SuperNet(SuperNets.Network(context, o, [.. context.SearchSpace.Operations], o.Auxiliary) with
        {
            Affine = true,
            AppendedBatchNorm = AppendedBatchNorm.PoolsAndSkip,
        });
        _net.to(context.Device);
    }

    /// <summary>Refuses a space or data the DARTS network cannot be exported from (before anything is built).</summary>
    public static void Check(SearchContext context, OneStageOptions o)
    {
        if (context.SearchSpace.Sparsity != 2)
            throw new ArgumentException(
                $"One-stage search exports a DARTS network, which has exactly 2 inputs per node; SearchSpace.Sparsity is {context.SearchSpace.Sparsity}.", nameof(context));
        if (o.Auxiliary && TrainingData.ImageShape(context.Train) is not (_, 32, 32))
            throw new ArgumentException(
                $"The auxiliary head needs 32x32 images; '{context.Train.Name}' has {string.Join("x", context.Train.SampleShape.Skip(1))}. Disable Auxiliary or pad the images.", nameof(context));
    }

    public override CompressedSearchSpace Space => _space;

    public override ISuperNet Net => _net;

    public override Genotype Genotype => _space.DeriveGenotype();

    public override void SetTrainable(int decision, IEnumerable<int> candidates, bool trainable)
    {
        (CellType cell, int node) = _space.Position(decision);
        _net.SetCandidateBatchNormTrainable(cell, node, candidates, trainable);
    }

    public override void LogStart(ILogger log, SearchContext context, OneStageOptions o, int stepsPerEpoch) =>
        log.LogInformation(
            "One-stage search on {Dataset} ({Count} images): C={C} L={L} batch {Batch}, {Steps} steps per epoch, epsilon {Epsilon}, " +
            "budget {Budget} M parameters, search cap {Cap}, then {Epochs} training epochs",
            context.Train.Name, context.Train.Count, o.Channels, o.Layers, o.BatchSize, stepsPerEpoch, o.Epsilon,
            o.ParameterBudgetMillions?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no",
            o.MaxSearchEpochs?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none", o.Epochs);

    public override double SetDropPath(double probability)
    {
        _net.DropPathProbability = probability;
        return probability;
    }

    public override (Tensor Logits, Tensor Loss, Tensor Objective) Forward(Batch batch, double auxiliaryWeight)
    {
        using var forward = NewDisposeScope(); // release the forward's intermediates before backward (see BilevelStep)
        (Tensor logits, Tensor? aux) = _net.ForwardWithAuxiliary(batch.Images);
        Tensor loss = nn.functional.cross_entropy(logits, batch.Labels);
        Tensor objective = aux is null ? loss.alias() : loss + (nn.functional.cross_entropy(aux, batch.Labels) * auxiliaryWeight);
        return (logits.MoveToOuterDisposeScope(), loss.MoveToOuterDisposeScope(), objective.MoveToOuterDisposeScope());
    }

    public override void LogFrozen(ILogger log, int frozen) =>
        log.LogInformation("frozen {Frozen}/{Nodes}{NewLine}{Genotype}", frozen, 2 * _space.Nodes, Environment.NewLine, _space.DeriveGenotype());

    /// <summary>Parameters (millions, auxiliary excluded) of the evaluation network the current genotype derives, at the run's size.</summary>
    public override double DerivedParameterMillions()
    {
        Genotype genotype = _space.DeriveGenotype();
        using var scope = NewDisposeScope();
        using var network = new EvaluationNetwork(
            new EvaluationNetworkOptions(_net.Options with { Auxiliary = false }) { BatchNormAfterParameterFree = true }, genotype);
        return network.ParameterCount / 1e6;
    }

    /// <summary>The evaluation network of the genotype with alpha absorbed into its BNs, checked against the super-net.</summary>
    public override SearchResult Export(SearchResult result, Func<Batch> probe, SearchContext context, ILogger log)
    {
        EvaluationNetwork exported;
        double absorptionError;
        using (NewDisposeScope())
        using (no_grad())
        {
            _net.SetArchitecture(_space);
            exported = BatchNormAbsorption.Export(_net);
            // Check the export on a real batch: in eval mode both networks must compute the same function.
            using Batch batch = probe();
            _net.eval();
            exported.eval();
            absorptionError = (exported.forward(batch.Images) - _net.forward(batch.Images)).abs().max().item<float>();
        }

        log.LogInformation("Exported the network of the genotype with alpha absorbed into its BNs ({Params:0.###} M parameters; max logit difference to the super-net {Error:0.###e0}).",
            exported.ParameterCount / 1e6, absorptionError);
        return result with { Architecture = ChoiceArchitectures.OfSpace(_space), Network = exported, AbsorptionMaxError = absorptionError, Metadata = ModelMetadata.FromDataset(context.Train) };
    }
}
