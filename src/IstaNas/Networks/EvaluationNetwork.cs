using IstaNas.Architecture;
using static TorchSharp.torch;

namespace IstaNas.Networks;

/// <summary>
/// The evaluation network of a fixed architecture (DARTS <c>NetworkCIFAR</c>, or <c>NetworkImageNet</c> with
/// <see cref="EvaluationNetworkOptions.Layout"/>): the stem, L <see cref="EvaluationCell"/>s with reductions at L/3 and
/// 2L/3 doubling the channels, optional auxiliary head after cell 2L/3 (training only), global average pooling and a
/// linear classifier.
/// </summary>
public sealed class EvaluationNetwork : CellNetwork
{
    /// <summary>Builds the network.</summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="normal">The normal cell.</param>
    /// <param name="reduce">The reduction cell.</param>
    /// <exception cref="ArgumentException">An option or a cell description is invalid.</exception>
    internal EvaluationNetwork(EvaluationNetworkOptions options, CellTopology normal, CellTopology reduce)
        : base(nameof(EvaluationNetwork), Validated(options, normal, reduce), options.Layout,
            slot => new EvaluationCell(slot.Reduction ? reduce : normal, slot.PrevPrevChannels, slot.PrevChannels, slot.Channels, slot.Reduction,
                slot.ReductionPrevious, options.BatchNormAfterParameterFree),
            cell => ((EvaluationCell)cell).OutputChannels)
    {
        Options = options;
        Normal = normal;
        Reduce = reduce;
        DropPathProbability = options.DropPathProbability;
    }

    /// <summary>Builds the network of a genotype (its normal and reduction cells, see <see cref="CellTopology.From"/>).</summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="genotype">The architecture; it must have two pairs per node.</param>
    /// <exception cref="ArgumentException">An option is invalid or the genotype does not have two pairs per node.</exception>
    public EvaluationNetwork(EvaluationNetworkOptions options, Genotype genotype)
        : this(options, CellTopology.From(genotype, CellType.Normal), CellTopology.From(genotype, CellType.Reduce))
    {
    }

    /// <summary>The options the network was built with.</summary>
    public EvaluationNetworkOptions Options { get; }

    /// <summary>The normal cell description.</summary>
    internal CellTopology Normal { get; }

    /// <summary>The reduction cell description.</summary>
    internal CellTopology Reduce { get; }

    /// <summary>The cells, in order.</summary>
    internal IReadOnlyList<EvaluationCell> Cells => [.. CellModules.Cast<EvaluationCell>()];

    private protected override Tensor CellForward(nn.Module cell, Tensor s0, Tensor s1, double dropPathProbability) =>
        ((EvaluationCell)cell).forward(s0, s1, dropPathProbability);

    private static EvaluationNetworkOptions Validated(EvaluationNetworkOptions options, CellTopology normal, CellTopology reduce)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(normal);
        ArgumentNullException.ThrowIfNull(reduce);
        NetworkValidation.Options(options);
        normal.Validate(nameof(normal));
        reduce.Validate(nameof(reduce));
        return options;
    }
}
