using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Networks;

/// <summary>
/// What the DARTS-space networks share, the super-net and the evaluation network alike (DARTS' <c>Network</c>,
/// <c>NetworkCIFAR</c> and <c>NetworkImageNet</c>): a stem (see <see cref="NetworkLayout"/>), L cells with reductions at
/// L/3 and 2L/3 doubling the channels, an optional auxiliary head after cell 2L/3 (computed in training only), global
/// average pooling and a linear classifier. The cells are what the networks differ in.
/// </summary>
public abstract class CellNetwork : nn.Module<Tensor, Tensor>
{
    /// <summary>Parameters whose name contains this string belong to the auxiliary head (as in DARTS' <c>count_parameters_in_MB</c>).</summary>
    public const string AuxiliaryParameterPrefix = "auxiliary";

    private readonly nn.Module<Tensor, Tensor>? stem;
    private readonly nn.Module<Tensor, Tensor>? stem0;
    private readonly nn.Module<Tensor, Tensor>? stem1;
    private readonly ModuleList<nn.Module> cells;
    private readonly AuxiliaryHead? auxiliary_head;
    private readonly AdaptiveAvgPool2d global_pooling;
    private readonly Linear classifier;
    private readonly NetworkShape _shape;
    private double _dropPathProbability;

    /// <summary>Builds the stem, the cells (made by <paramref name="createCell"/>), the auxiliary head and the classifier.</summary>
    private protected CellNetwork(string name, NetworkShape shape, NetworkLayout layout, Func<CellStack.Slot, nn.Module> createCell,
        Func<nn.Module, int> outputChannels)
        : base(name)
    {
        _shape = shape;
        Layout = layout;
        int stemChannels;
        if (layout == NetworkLayout.ImageNet)
        {
            stemChannels = shape.Channels;
            stem0 = Stem.ImageNetFirst(shape.InputChannels, stemChannels);
            stem1 = Stem.ImageNetSecond(stemChannels);
        }
        else
        {
            stemChannels = shape.StemMultiplier * shape.Channels;
            stem = Stem.Create(shape.InputChannels, stemChannels);
        }

        var (list, auxiliaryChannels, prev) = CellStack.Build(shape.Layers, stemChannels, shape.Channels, createCell, outputChannels,
            stemHalves: layout == NetworkLayout.ImageNet);
        cells = nn.ModuleList(list);
        auxiliary_head = shape.Auxiliary ? new AuxiliaryHead(auxiliaryChannels, shape.Classes, layout) : null;
        global_pooling = nn.AdaptiveAvgPool2d(1);
        classifier = nn.Linear(prev, shape.Classes);
        RegisterComponents();
    }

    /// <summary>Drop-path probability applied to every operation but the bare identity in training; set it per epoch.</summary>
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

    /// <summary>The stem and auxiliary head: DARTS' CIFAR or ImageNet network.</summary>
    public NetworkLayout Layout { get; }

    /// <summary>Index of the cell after which the auxiliary head reads (2L/3).</summary>
    public int AuxiliaryPosition => CellStack.AuxiliaryPosition(_shape.Layers);

    /// <summary>Parameters of the network without the auxiliary head (DARTS' reported parameter count).</summary>
    public long ParameterCount => ParameterCounting.Count(this, includeAuxiliary: false);

    /// <summary>Parameters of the auxiliary head alone (0 without it).</summary>
    public long AuxiliaryParameterCount => ParameterCounting.Count(this, includeAuxiliary: true) - ParameterCount;

    /// <summary>The stem modules in forward order: one for the CIFAR layout (its output feeds both inputs of the first cell), two for ImageNet.</summary>
    internal IReadOnlyList<nn.Module<Tensor, Tensor>> StemModules => stem is not null ? [stem] : [stem0!, stem1!];

    /// <summary>The classifier (for weight transfer).</summary>
    internal Linear Classifier => classifier;

    /// <summary>The auxiliary head, or null when <see cref="NetworkShape.Auxiliary"/> is false.</summary>
    internal AuxiliaryHead? AuxiliaryHead => auxiliary_head;

    /// <summary>The cells, in order.</summary>
    private protected IReadOnlyList<nn.Module> CellModules => [.. cells];

    /// <summary>Computes the logits <c>[batch, classes]</c>.</summary>
    /// <param name="input">Images <c>[batch, InputChannels, height, width]</c>.</param>
    /// <returns>The logits.</returns>
    public override Tensor forward(Tensor input) => ForwardWithAuxiliary(input).Logits;

    /// <summary>Computes the logits and, when the auxiliary head is enabled and the network is training, the auxiliary logits.</summary>
    /// <param name="input">Images <c>[batch, InputChannels, height, width]</c>; the auxiliary head needs 32 x 32.</param>
    /// <returns>The logits and the auxiliary logits (null when not computed).</returns>
    public (Tensor Logits, Tensor? Auxiliary) ForwardWithAuxiliary(Tensor input)
    {
        NetworkValidation.Images(input, _shape.InputChannels, nameof(input));
        NetworkValidation.ImageSide(input, Layout, _shape.Layers, nameof(input));
        BeforeForward();
        Tensor? auxiliary = null;
        Tensor s0, s1;
        if (stem is not null)
        {
            s0 = stem.call(input);
            s1 = s0;
        }
        else
        {
            s0 = stem0!.call(input);
            s1 = stem1!.call(s0);
        }

        for (int i = 0; i < cells.Count; i++)
        {
            var next = CellForward(cells[i], s0, s1, _dropPathProbability);
            // s0 was read for the last time: release it now, as Python would, rather than at the end of the pass.
            if (!ReferenceEquals(s0, s1)) s0.Dispose();
            s0 = s1;
            s1 = next;
            if (i == AuxiliaryPosition && auxiliary_head is not null && training)
            {
                auxiliary = auxiliary_head.call(s1);
            }
        }

        var pooled = global_pooling.call(s1);
        return (classifier.call(pooled.view(pooled.shape[0], -1)), auxiliary);
    }

    /// <summary>Checks what a forward pass needs beyond the input (the super-net: an architecture for every cell type).</summary>
    private protected virtual void BeforeForward()
    {
    }

    /// <summary>Runs one cell on the outputs of the two cells before it.</summary>
    private protected abstract Tensor CellForward(nn.Module cell, Tensor s0, Tensor s1, double dropPathProbability);
}
