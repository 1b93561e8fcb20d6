using IstaNas.Architecture;
using IstaNas.SearchSpace;

namespace IstaNas.Strategies;

/// <summary>The outcome of a search run.</summary>
public sealed record SearchResult
{
    /// <summary>The searched architecture.</summary>
    public required Genotype Genotype { get; init; }

    /// <summary>Final A, b, z, supports and frozen flags of the compressed space (null for strategies without one).</summary>
    public SearchSpaceState? SearchSpace { get; init; }

    /// <summary>Per-epoch history.</summary>
    public required IReadOnlyList<EpochReport> History { get; init; }

    /// <summary>
    /// Conditions a user should know about that did not stop the run (a node that kept its previous code because the
    /// recovered one was too sparse, a search cap that froze nodes still moving, ...); each is also logged as a warning.
    /// </summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Whether the run stopped early because it was cancelled.</summary>
    public bool Cancelled { get; init; }

    /// <summary>Total wall time.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>
    /// One-stage search: the largest |difference| between the logits of the exported (BN-absorbed) network and of the
    /// super-net on a probe batch in eval mode; null for other strategies.
    /// </summary>
    public double? AbsorptionMaxError { get; init; }

    /// <summary>The trained network of the genotype (one-stage search: BN-absorbed); null otherwise. The caller disposes it.</summary>
    public TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>? Network { get; init; }
}
