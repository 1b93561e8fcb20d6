using IstaNas.Data;
using IstaNas.SearchSpace;
using IstaNas.SparseCoding;
using IstaNas.Training;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace IstaNas.Strategies;

/// <summary>Everything a strategy needs besides its own options.</summary>
internal sealed class SearchContext
{
    /// <summary>The training set (strategies split it as they need).</summary>
    public required LabelledDataset Train { get; init; }

    /// <summary>The factory of the searched model with choices (<c>SearchBuilder.UseSpace</c>); null searches the DARTS cell space.</summary>
    public Func<nn.Module<Tensor, Tensor>>? Space { get; init; }

    /// <summary>Shape of the compressed space (nodes, operations, m, s).</summary>
    public SearchSpaceOptions SearchSpace { get; init; } = new();

    /// <summary>Sparse-coding settings of the recovery of z.</summary>
    public SparseCoderOptions SparseCoder { get; init; } = new();

    /// <summary>Where tensors live.</summary>
    public Device Device { get; init; } = CPU;

    /// <summary>Seed of everything random: A, b, weights, data order, augmentation.</summary>
    public long Seed { get; init; }

    /// <summary>Where the strategy logs.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Receives a report after every epoch.</summary>
    public IProgress<EpochReport>? Progress { get; init; }

    /// <summary>Receives a report every few steps within an epoch.</summary>
    public IProgress<StepReport>? StepProgress { get; init; }

    /// <summary>A checkpoint file to continue from (null starts a new run).</summary>
    public string? ResumeFrom { get; init; }

    /// <summary>Free-form values stored in every checkpoint of the run (the sample keeps its data argument there).</summary>
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }
}
