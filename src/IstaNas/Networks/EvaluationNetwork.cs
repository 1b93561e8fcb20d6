using IstaNas.Architecture;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Networks;

/// <summary>
/// The evaluation network of a fixed architecture (DARTS <c>NetworkCIFAR</c>): stem 3 x 3 convolution and BN with
/// <c>StemMultiplier * C</c> channels, L <see cref="EvaluationCell"/>s with reductions at L/3 and 2L/3 doubling the
/// channels, optional auxiliary head after cell 2L/3 (training only), global average pooling and a linear classifier.
/// </summary>
public sealed class EvaluationNetwork : nn.Module<Tensor, Tensor>
{
    /// <summary>Parameters whose name contains this string belong to the auxiliary head (as in DARTS' <c>count_parameters_in_MB</c>).</summary>
    public const string AuxiliaryParameterPrefix = "auxiliary";

    private readonly nn.Module<Tensor, Tensor> stem;
    private readonly ModuleList<EvaluationCell> cells;
    private readonly AuxiliaryHead? auxiliary_head;
    private readonly AdaptiveAvgPool2d global_pooling;
    private readonly Linear classifier;
    private double _dropPathProbability;

    /// <summary>Builds the network.</summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="normal">The normal cell.</param>
    /// <param name="reduce">The reduction cell.</param>
    /// <exception cref="ArgumentException">An option or a cell description is invalid.</exception>
    internal EvaluationNetwork(EvaluationNetworkOptions options, CellTopology normal, CellTopology reduce) : base(nameof(EvaluationNetwork))
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(normal);
        ArgumentNullException.ThrowIfNull(reduce);
        options.Validate();
        normal.Validate(nameof(normal));
        reduce.Validate(nameof(reduce));
        Options = options;
        Normal = normal;
        Reduce = reduce;
        _dropPathProbability = options.DropPathProbability;

        int stemChannels = options.StemMultiplier * options.Channels;
        stem = Stem.Create(options.InputChannels, stemChannels);
        var (list, auxiliaryChannels, prev) = CellStack.Build(
            options.Layers, stemChannels, options.Channels,
            slot => new EvaluationCell(slot.Reduction ? reduce : normal, slot.PrevPrevChannels, slot.PrevChannels, slot.Channels, slot.Reduction, slot.ReductionPrevious,
                options.BatchNormAfterParameterFree),
            cell => cell.OutputChannels);
        cells = nn.ModuleList(list);
        auxiliary_head = options.Auxiliary ? new AuxiliaryHead(auxiliaryChannels, options.Classes) : null;
        global_pooling = nn.AdaptiveAvgPool2d(1);
        classifier = nn.Linear(prev, options.Classes);
        RegisterComponents();
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

    /// <summary>Drop-path probability applied to non-identity operations in training; set it per epoch.</summary>
    /// <exception cref="ArgumentException">The value is outside [0, 1).</exception>
    public double DropPathProbability
    {
        get => _dropPathProbability;
        set
        {
            NetworkValidation.Probability(value, nameof(DropPathProbability));
            _dropPathProbability = value;
        }
    }

    /// <summary>The stem (shared structure with the other network, for weight transfer).</summary>
    internal nn.Module<Tensor, Tensor> StemModule => stem;

    /// <summary>The classifier (for weight transfer).</summary>
    internal Linear Classifier => classifier;

    /// <summary>The cells, in order.</summary>
    internal IReadOnlyList<EvaluationCell> Cells => [.. cells];

    /// <summary>The auxiliary head, or null when <see cref="NetworkShape.Auxiliary"/> is false.</summary>
    internal AuxiliaryHead? AuxiliaryHead => auxiliary_head;

    /// <summary>Index of the cell after which the auxiliary head reads (2L/3).</summary>
    public int AuxiliaryPosition => CellStack.AuxiliaryPosition(Options.Layers);

    /// <summary>Parameters of the network without the auxiliary head (DARTS' reported parameter count).</summary>
    public long ParameterCount => ParameterCounting.Count(this, includeAuxiliary: false);

    /// <summary>Parameters of the auxiliary head alone (0 without it).</summary>
    public long AuxiliaryParameterCount => ParameterCounting.Count(this, includeAuxiliary: true) - ParameterCount;

    /// <summary>Computes the logits <c>[batch, classes]</c>.</summary>
    /// <param name="input">Images <c>[batch, InputChannels, height, width]</c>.</param>
    /// <returns>The logits.</returns>
    public override Tensor forward(Tensor input) => ForwardWithAuxiliary(input).Logits;

    /// <summary>Computes the logits and, when the auxiliary head is enabled and the network is training, the auxiliary logits.</summary>
    /// <param name="input">Images <c>[batch, InputChannels, height, width]</c>; the auxiliary head needs 32 x 32.</param>
    /// <returns>The logits and the auxiliary logits (null when not computed).</returns>
    public (Tensor Logits, Tensor? Auxiliary) ForwardWithAuxiliary(Tensor input)
    {
        NetworkValidation.Images(input, Options.InputChannels, nameof(input));
        Tensor? auxiliary = null;
        var s0 = stem.forward(input);
        var s1 = s0;
        for (int i = 0; i < cells.Count; i++)
        {
            var next = cells[i].forward(s0, s1, _dropPathProbability);
            s0 = s1;
            s1 = next;
            if (i == AuxiliaryPosition && auxiliary_head is not null && training)
            {
                auxiliary = auxiliary_head.forward(s1);
            }
        }

        var pooled = global_pooling.forward(s1);
        return (classifier.forward(pooled.view(pooled.shape[0], -1)), auxiliary);
    }
}
