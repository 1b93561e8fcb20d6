using TorchSharp;

namespace IstaNas.Architecture;

/// <summary>
/// The architecture weights of one intermediate node during search: which candidates run and by how
/// much each output is scaled. Candidate index <c>c</c> of a node with <c>K</c> operations means
/// predecessor <c>c / K</c>, operation <c>c % K</c>. Candidates not listed have weight 0 and do not run.
/// </summary>
/// <param name="Candidates">Indices of the candidates that run (the support S), ascending.</param>
/// <param name="Weights">
/// One-dimensional tensor of length <c>Candidates.Length</c>: alpha on the support, in the same order.
/// It may carry autograd history (alpha is differentiable in b); the network multiplies each
/// candidate's output by its entry without softmax.
/// </param>
public sealed record NodeWeights(int[] Candidates, torch.Tensor Weights);
