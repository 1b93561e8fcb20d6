using IstaNas.Architecture;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Networks;

/// <summary>
/// The search super-net seen by the search algorithms: the architecture weights come from outside at every step
/// (they are functions of the learnable codes), the network runs only the listed candidates.
/// </summary>
internal interface ISuperNet
{
    /// <summary>The options the super-net was built with.</summary>
    SuperNetOptions Options { get; }

    /// <summary>Drop-path probability applied to non-identity candidates in training (0 disables it).</summary>
    double DropPathProbability { get; set; }

    /// <summary>
    /// Sets the candidates and weights used by every cell of type <paramref name="cell"/> from now on. The network keeps
    /// references to the weight tensors (it neither copies nor disposes them), so set the architecture again after
    /// recomputing alpha at each step.
    /// </summary>
    /// <param name="cell">Normal or reduction cells.</param>
    /// <param name="nodes">One entry per intermediate node; node i's candidates are in <c>[0, (i + 2) * K)</c>.</param>
    /// <exception cref="ArgumentException">Wrong node count, candidate out of range or repeated, or weights of the wrong shape.</exception>
    void SetArchitecture(CellType cell, IReadOnlyList<NodeWeights> nodes);

    /// <summary>The current architecture of cell type <paramref name="cell"/>, or null if none was set.</summary>
    /// <param name="cell">Normal or reduction cells.</param>
    /// <returns>The node weights last passed to <see cref="SetArchitecture(CellType, IReadOnlyList{NodeWeights})"/>.</returns>
    IReadOnlyList<NodeWeights>? GetArchitecture(CellType cell);

    /// <summary>Computes the logits <c>[batch, classes]</c>.</summary>
    /// <param name="input">Images <c>[batch, InputChannels, height, width]</c>.</param>
    /// <returns>The logits.</returns>
    Tensor forward(Tensor input);

    /// <summary>Computes the logits and, when the auxiliary head is enabled and the network is training, the auxiliary logits.</summary>
    /// <param name="input">Images <c>[batch, InputChannels, height, width]</c>.</param>
    /// <returns>The logits and the auxiliary logits (null when not computed).</returns>
    (Tensor Logits, Tensor? Auxiliary) ForwardWithAuxiliary(Tensor input);

    /// <summary>The network weights W (every parameter of the super-net; the architecture weights are not parameters of it).</summary>
    /// <returns>The weight parameters.</returns>
    IEnumerable<Parameter> WeightParameters();
}
