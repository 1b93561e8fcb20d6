using IstaNas.Data;
using IstaNas.Networks;
using IstaNas.SearchSpace;
using IstaNas.SparseCoding;
using IstaNas.Training;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace IstaNas.Strategies;

/// <summary>
/// Everything a strategy needs besides its own options: the data, the space (the DARTS cell, or a model with choices),
/// the compressed space's shape and recovery, device, seed, logging, progress, and the checkpoint to resume from. The
/// builder makes it (<see cref="SearchBuilder"/>); a strategy of your own (<see cref="IStrategy"/>) reads it.
/// </summary>
public sealed class SearchContext
{
    internal SearchContext()
    {
    }

    /// <summary>The training set (strategies split it as they need).</summary>
    public LabelledDataset Train { get; internal init; } = null!;

    /// <summary>The factory of the searched model with choices (<c>SearchBuilder.UseSpace</c>); null searches the DARTS cell space.</summary>
    internal Func<nn.Module<Tensor, Tensor>>? Space { get; init; }

    /// <summary>Shape of the compressed space (nodes, operations, m, s).</summary>
    public SearchSpaceOptions SearchSpace { get; internal init; } = new();

    /// <summary>Sparse-coding settings of the recovery of z.</summary>
    public SparseCoderOptions SparseCoder { get; internal init; } = new();

    /// <summary>Where tensors live.</summary>
    public Device Device { get; internal init; } = CPU;

    /// <summary>Seed of everything random: A, b, weights, data order, augmentation.</summary>
    public long Seed { get; internal init; }

    /// <summary>Where the strategy logs.</summary>
    public ILoggerFactory LoggerFactory { get; internal init; } = NullLoggerFactory.Instance;

    /// <summary>Receives a report after every epoch.</summary>
    public IProgress<EpochReport>? Progress { get; internal init; }

    /// <summary>Receives a report every few steps within an epoch.</summary>
    public IProgress<StepReport>? StepProgress { get; internal init; }

    /// <summary>A checkpoint file to continue from (null starts a new run).</summary>
    public string? ResumeFrom { get; internal init; }

    /// <summary>Free-form values stored in every checkpoint of the run (the CLI keeps its data argument there).</summary>
    public IReadOnlyDictionary<string, string>? Annotations { get; internal init; }

    /// <summary>Whether the context searches a model with choices (<c>SearchBuilder.UseSpace</c>) rather than the DARTS cell.</summary>
    public bool HasChoiceSpace => Space is not null;

    /// <summary>
    /// A fresh super-net of the context's model with choices, checked on one batch of the training data's shape (every
    /// candidate of every choice runs once): one decision per choice, in <c>named_modules()</c> order. Seed torch's
    /// generator first (<c>torch.random.manual_seed(Seed)</c>) for reproducible weights. The caller disposes it
    /// (<see cref="ISuperNet.Module"/>).
    /// </summary>
    /// <returns>The super-net, on the CPU (move it with <c>Module.to(Device)</c>).</returns>
    /// <exception cref="InvalidOperationException">The context searches the DARTS cell space (build its <see cref="SuperNet"/> from options).</exception>
    /// <exception cref="ArgumentException">The model is not a valid search space (the message names the choice and the problem).</exception>
    public ISuperNet CreateSuperNet() => SuperNets.ChoiceNetwork(this);
}
