using IstaNas.Architecture;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Networks;

/// <summary>
/// The search super-net as the strategies see it: a network with <see cref="Decisions"/> whose architecture weights
/// come from outside before every forward pass (ISTA-NAS' alpha on the support, DARTS' softmax over all K); only the
/// listed candidates of a decision run. Any model that holds <c>Choice</c> modules is one (one decision per choice, see
/// <c>SearchBuilder.UseSpace</c>); the DARTS cell super-net is one with a decision per intermediate node of each cell
/// type. One-stage search runs on both: alpha is absorbed into a candidate's final BN where it ends in one.
/// </summary>
public interface ISuperNet
{
    /// <summary>The super-net as a TorchSharp module (train/eval mode, device, state dict, disposal).</summary>
    nn.Module<Tensor, Tensor> Module { get; }

    /// <summary>The decisions (key, K, s), in the order <see cref="SetWeights"/> takes them.</summary>
    IReadOnlyList<Decision> Decisions { get; }

    /// <summary>
    /// Sets, for every decision, the candidates that run and their weights. The network keeps references to the weight
    /// tensors (it neither copies nor disposes them), so set them again after recomputing them at each step.
    /// </summary>
    /// <param name="weights">One entry per decision, in <see cref="Decisions"/> order.</param>
    /// <exception cref="ArgumentException">Wrong count, a candidate out of range or repeated, or weights of the wrong shape.</exception>
    void SetWeights(IReadOnlyList<NodeWeights> weights);

    /// <summary>Computes the network's output (the logits for classification).</summary>
    /// <param name="input">A batch of inputs.</param>
    /// <returns>The output.</returns>
    Tensor forward(Tensor input);

    /// <summary>The network weights W (every parameter of the network; the architecture parameters are not among them).</summary>
    /// <returns>The weight parameters.</returns>
    IEnumerable<Parameter> WeightParameters();
}
