using IstaNas.Data;
using IstaNas.Networks;
using TorchSharp;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

using IstaNas.Training;

namespace IstaNas.Strategies;

/// <summary>
/// One step of a first-order bilevel search (two-stage ISTA-NAS and the DARTS baseline): an architecture step on a
/// validation batch, then a weight step on a training batch. Tensors go to the caller's dispose scope.
/// </summary>
internal static class BilevelStep
{
    /// <summary>Runs both steps and adds their losses and predictions to the metrics.</summary>
    /// <param name="net">The super-net.</param>
    /// <param name="setArchitecture">Hands the current architecture weights to <paramref name="net"/>.</param>
    /// <param name="architecture">The architecture parameters (b, or DARTS' alpha).</param>
    /// <param name="architectureOptimizer">Their optimiser.</param>
    /// <param name="weights">The network weights W.</param>
    /// <param name="weightsOptimizer">Their optimiser.</param>
    /// <param name="gradClip">Gradient-norm clip on W (0: none).</param>
    /// <param name="valid">The validation batch.</param>
    /// <param name="train">The training batch.</param>
    /// <param name="validMetrics">Receives the architecture step's loss.</param>
    /// <param name="trainMetrics">Receives the weight step's loss.</param>
    public static void Run(
        ISuperNet net, Action setArchitecture,
        IReadOnlyList<Parameter> architecture, optim.Optimizer architectureOptimizer,
        IReadOnlyList<Parameter> weights, optim.Optimizer weightsOptimizer, double gradClip,
        Batch valid, Batch train, RunningMetrics validMetrics, RunningMetrics trainMetrics)
    {
        // Architecture step: the validation loss through the architecture weights, first order (no unrolling). W is
        // frozen meanwhile, so backward computes only the architecture gradient, not that of every network weight.
        Gradients.Clear(architecture);
        Tensor validLogits, validLoss;
        using (new FrozenParameters(weights))
        {
            setArchitecture();
            validLogits = net.forward(valid.Images);
            validLoss = nn.functional.cross_entropy(validLogits, valid.Labels);
            validLoss.backward();
        }
        architectureOptimizer.step();
        validMetrics.Add(validLoss, validLogits, valid.Labels);

        // Weight step: the training loss with the architecture weights held constant.
        Gradients.Clear(weights);
        using (no_grad()) setArchitecture();
        Tensor logits = net.forward(train.Images);
        Tensor loss = nn.functional.cross_entropy(logits, train.Labels);
        loss.backward();
        if (gradClip > 0) nn.utils.clip_grad_norm_(weights, gradClip);
        weightsOptimizer.step();
        trainMetrics.Add(loss, logits, train.Labels);
    }
}
