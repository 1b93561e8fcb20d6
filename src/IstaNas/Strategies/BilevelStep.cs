using IstaNas.Data;
using IstaNas.Networks;
using IstaNas.Training;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace IstaNas.Strategies;

/// <summary>
/// One step of a first-order bilevel search (two-stage ISTA-NAS and the DARTS baseline): an architecture step on a
/// validation batch, then a weight step on a training batch. Tensors go to the caller's dispose scope. The bilevel problem
/// <code>min_b L_val(W*(b), alpha(b))   s.t.   W*(b) = argmin_W L_train(W, alpha(b))</code>
/// is approximated to first order (no unrolling: W*(b) is taken as the current W), one step of each per minibatch pair:
/// <code>b &lt;- Adam step on grad_b L_val(W, alpha(b)),   grad_b L_val = A_S^T grad_alpha L_val   (alpha_S = A_S^T b + z_S - A_S^T A_S z_S)
/// W &lt;- SGD step on grad_W L_train(W, alpha)</code>
/// (for DARTS the architecture parameters are its dense alpha instead of b, and alpha is their softmax).
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
    /// <param name="clipArchitecture">
    /// Count the architecture parameters' gradient in the clip, as the authors' two-stage
    /// <c>clip_grad_norm_(model.parameters(), 5)</c>, where b is a parameter of the model: the weight step's forward then
    /// runs through the architecture weights with autograd, so b's gradient holds the architecture step's plus the weight
    /// step's when the norm is taken (the authors zero only the optimiser of W before the weight step).
    /// </param>
    /// <param name="zeroFillWeights">
    /// Zero W's gradients in place before the weight step (the authors' <c>zero_grad()</c> on PyTorch 1.x: every weight that
    /// ever had a gradient is stepped by SGD); false drops them, so the weights of candidates outside the support stay put.
    /// </param>
    /// <param name="valid">The validation batch.</param>
    /// <param name="train">The training batch.</param>
    /// <param name="validMetrics">Receives the architecture step's loss.</param>
    /// <param name="trainMetrics">Receives the weight step's loss.</param>
    /// <param name="freezeWeights">
    /// Freeze W during the architecture step (the strategies always do); false computes W's gradients there too and
    /// throws them away, as the authors' code does: the benchmarks' like-for-like step.
    /// </param>
    public static void Run(
        ISuperNet net, Action setArchitecture,
        IReadOnlyList<Parameter> architecture, optim.Optimizer architectureOptimizer,
        IReadOnlyList<Parameter> weights, optim.Optimizer weightsOptimizer, double gradClip, bool clipArchitecture, bool zeroFillWeights,
        Batch valid, Batch train, RunningMetrics validMetrics, RunningMetrics trainMetrics, bool freezeWeights = true)
    {
        // Architecture step: the validation loss through the architecture weights, first order (no unrolling). W is
        // frozen meanwhile, so backward computes only the architecture gradient, not that of every network weight.
        Gradients.Clear(architecture);
        using (new FrozenParameters(freezeWeights ? weights : []))
        {
            setArchitecture();
            (Tensor validLogits, Tensor validLoss) = ForwardReleasingIntermediates(net, valid);
            validLoss.backward();
            validMetrics.Add(validLoss, validLogits, valid.Labels);
        }
        architectureOptimizer.step();

        // Weight step: the training loss with the architecture weights held constant (b's gradient only feeds the clip).
        Gradients.Reset(weights, zeroFillWeights);
        bool clipWithArchitecture = clipArchitecture && gradClip > 0;
        if (clipWithArchitecture) setArchitecture();
        else using (no_grad()) setArchitecture();
        (Tensor logits, Tensor loss) = ForwardReleasingIntermediates(net, train);
        loss.backward();
        if (gradClip > 0) nn.utils.clip_grad_norm_(clipWithArchitecture ? weights.Concat(architecture) : weights, gradClip);
        weightsOptimizer.step();
        trainMetrics.Add(loss, logits, train.Labels);
    }

    /// <summary>
    /// The forward pass and the loss, with every intermediate tensor's handle released before the caller's backward:
    /// autograd keeps what backward needs and frees it as backward goes, as in PyTorch, instead of the handles keeping
    /// every activation alive until the step's dispose scope ends (which raised the peak memory and page faults).
    /// </summary>
    internal static (Tensor Logits, Tensor Loss) ForwardReleasingIntermediates(ISuperNet net, Batch batch)
    {
        using var forward = NewDisposeScope();
        Tensor logits = net.forward(batch.Images);
        Tensor loss = nn.functional.cross_entropy(logits, batch.Labels);
        return (logits.MoveToOuterDisposeScope(), loss.MoveToOuterDisposeScope());
    }
}
