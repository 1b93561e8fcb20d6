using IstaNas.Architecture;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Choices;

/// <summary>
/// One decision of a search space: <c>K</c> candidate modules of which the architecture keeps <see cref="Picks"/>
/// (ISTA-NAS' <c>s</c>). A model that holds choices anywhere among its modules is a search space. Drop it into a
/// TorchSharp model as any other module:
/// <code>
/// private readonly Choice block1 = Choice.Of("block1", picks: 1, Conv(3), Conv(5), nn.Identity());
/// </code>
/// During a search the strategy hands every choice the candidates that run and their weights (ISTA-NAS' alpha on the
/// support, DARTS' softmax over all K); the output is <c>sum_j w_j * candidate_j(input_j)</c> over those only, and the
/// others do not run. A fixed architecture runs its picks with weight 1. A candidate may read its own input
/// (<see cref="OverInputs"/>), so a DARTS node, whose candidates are (predecessor, operation) pairs, is one choice.
/// </summary>
public sealed class Choice : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> candidates;
    private readonly int[] _inputs;
    private readonly string[] _labels;
    private nn.Module<Tensor, Tensor>? _normalization;
    private NodeWeights? _weights;
    private int[]? _fixed;
    private float[]? _fixedScales;
    private bool _probing;
    private bool _probed;
    private bool _shared;

    private Choice(string name, int picks, IReadOnlyList<nn.Module<Tensor, Tensor>> modules, int[] inputs, string[] labels)
        : base(nameof(Choice))
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException("A choice needs a non-empty name (it keys the choice in architectures and checkpoints).", nameof(name));
        if (modules.Count < 2)
            throw new ArgumentException($"Choice '{name}' has {modules.Count} candidate(s); a choice needs at least 2 (K >= 2).", nameof(modules));
        if (picks < 1 || picks >= modules.Count)
            throw new ArgumentOutOfRangeException(nameof(picks), picks,
                $"Choice '{name}' keeps {picks} of its {modules.Count} candidates; picks (s) must be in 1..{modules.Count - 1} (s < K).");
        for (int j = 0; j < modules.Count; j++)
        {
            if (modules[j] is null)
                throw new ArgumentException($"Candidate {j} of choice '{name}' is null.", nameof(modules));
            if (inputs[j] < 0)
                throw new ArgumentOutOfRangeException(nameof(inputs), inputs[j], $"Candidate {j} of choice '{name}' reads input {inputs[j]}; inputs are numbered from 0.");
        }

        Name = name;
        Picks = picks;
        _inputs = inputs;
        _labels = labels;
        candidates = nn.ModuleList([.. modules]);
        RegisterComponents();
    }

    /// <summary>The choice's name: unique within a search space, it keys the choice in architectures, checkpoints and reports.</summary>
    public string Name { get; }

    /// <summary>How many candidates the architecture keeps (ISTA-NAS' sparsity <c>s</c>).</summary>
    public int Picks { get; }

    /// <summary>The number of candidates <c>K</c>.</summary>
    public int Count => candidates.Count;

    /// <summary>Readable candidate names, in candidate order (the modules' names unless given).</summary>
    public IReadOnlyList<string> Labels => _labels;

    /// <summary>Whether any candidate reads another input than the first (then call <see cref="forward(IReadOnlyList{Tensor})"/>).</summary>
    public bool HasInputs => _inputs.Any(i => i != 0);

    /// <summary>Whether choices of this name may repeat in a model as one shared decision (see <see cref="Shared"/>).</summary>
    public bool IsShared => _shared;

    /// <summary>The module applied to the choice's output, or null (see <see cref="NormalizedBy"/>).</summary>
    public nn.Module<Tensor, Tensor>? Normalization => _normalization;

    /// <summary>The candidates that run now and their weights (set by a search), or null.</summary>
    public NodeWeights? Weights => _weights;

    /// <summary>The fixed picks (set by <see cref="Fix"/>), or null while the choice is searched.</summary>
    public IReadOnlyList<int>? FixedPicks => _fixed;

    /// <summary>
    /// Constant scales of the fixed picks (in <see cref="FixedPicks"/> order), or null for weight 1: a one-stage search keeps
    /// alpha as such a scale on a candidate that does not end in a BN it could be absorbed into.
    /// </summary>
    internal IReadOnlyList<float>? FixedScales => _fixedScales;

    /// <summary>Creates a choice whose candidates all read the choice's one input.</summary>
    /// <param name="name">Unique name of the choice in its space.</param>
    /// <param name="picks">How many candidates the architecture keeps (s), in <c>1..K-1</c>.</param>
    /// <param name="candidates">The K candidate modules (at least 2); every candidate's output must have the same shape.</param>
    /// <returns>The choice.</returns>
    public static Choice Of(string name, int picks, params nn.Module<Tensor, Tensor>[] candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        return new Choice(name, picks, candidates, new int[candidates.Length], [.. candidates.Select(LabelOf)]);
    }

    /// <summary>Creates a choice whose candidates read inputs of their own (candidate j reads <c>inputs[Input_j]</c>).</summary>
    /// <param name="name">Unique name of the choice in its space.</param>
    /// <param name="picks">How many candidates the architecture keeps (s), in <c>1..K-1</c>.</param>
    /// <param name="candidates">The K (input index, module) pairs.</param>
    /// <returns>The choice.</returns>
    public static Choice OverInputs(string name, int picks, params (int Input, nn.Module<Tensor, Tensor> Module)[] candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        return new Choice(name, picks, [.. candidates.Select(c => c.Module)], [.. candidates.Select(c => c.Input)],
            [.. candidates.Select(c => $"{LabelOf(c.Module)}@{c.Input}")]);
    }

    /// <summary>Gives the candidates readable names (shown in architectures and pictures).</summary>
    /// <param name="labels">One name per candidate, in candidate order.</param>
    /// <returns>This choice.</returns>
    public Choice WithLabels(params string[] labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Length != Count)
            throw new ArgumentException($"Choice '{Name}' has {Count} candidates but {labels.Length} labels were given.", nameof(labels));
        if (labels.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException($"Choice '{Name}': every label must be non-empty.", nameof(labels));
        labels.CopyTo(_labels, 0);
        return this;
    }

    /// <summary>
    /// Marks the choice as part of a shared decision: a model may hold several choices of this name, and they are then ONE
    /// decision (a search sets the same candidates and weights on all of them, an architecture fixes them alike), as the
    /// NAS-Bench-201 search model's cells share one set of architecture parameters. Every choice of the name must be marked
    /// shared and have the same K, picks and labels; a name repeated without it is refused.
    /// </summary>
    /// <returns>This choice.</returns>
    public Choice Shared()
    {
        _shared = true;
        return this;
    }

    /// <summary>
    /// Applies <paramref name="normalization"/> to the choice's output (typically a non-affine BatchNorm). At the start of
    /// an ISTA-NAS search alpha is small (about the scale of b), so a choice whose output feeds the next layer directly
    /// scales the signal down with it; the DARTS cell gets its normalisation from the next cell's preprocessing BN and
    /// the BN the authors append after pooling candidates. Give a choice one when nothing after it normalises its output.
    /// </summary>
    /// <param name="normalization">The module applied to the weighted sum.</param>
    /// <returns>This choice.</returns>
    public Choice NormalizedBy(nn.Module<Tensor, Tensor> normalization)
    {
        ArgumentNullException.ThrowIfNull(normalization);
        if (_normalization is not null)
            throw new InvalidOperationException($"Choice '{Name}' already has a normalisation.");
        _normalization = normalization;
        register_module("normalization", normalization);
        return this;
    }

    /// <summary>Candidate <paramref name="index"/>'s module.</summary>
    /// <param name="index">In <c>0..K-1</c>.</param>
    /// <returns>The module.</returns>
    public nn.Module<Tensor, Tensor> Candidate(int index) => candidates[CheckIndex(index)];

    /// <summary>The input candidate <paramref name="index"/> reads.</summary>
    /// <param name="index">In <c>0..K-1</c>.</param>
    /// <returns>The input index (0 for choices made with <see cref="Of"/>).</returns>
    public int InputOf(int index) => _inputs[CheckIndex(index)];

    /// <summary>
    /// Sets the candidates that run and their weights (the search does this before every forward pass). The choice
    /// keeps a reference to the weight tensor; it neither copies nor disposes it.
    /// </summary>
    /// <param name="weights">Distinct candidate indices and a 1-D weight tensor of the same length.</param>
    /// <exception cref="ArgumentException">A candidate is out of range or repeated, or the weights have the wrong shape.</exception>
    public void SetWeights(NodeWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Candidates is null || weights.Weights is null)
            throw new ArgumentException($"Choice '{Name}': the weights have null candidates or a null tensor.", nameof(weights));
        CheckCandidates(weights.Candidates, nameof(weights));
        if (weights.Weights.dim() != 1 || weights.Weights.shape[0] != weights.Candidates.Length)
            throw new ArgumentException(
                $"Choice '{Name}' runs {weights.Candidates.Length} candidates but got weights of shape [{string.Join(", ", weights.Weights.shape)}]; expected [{weights.Candidates.Length}].",
                nameof(weights));
        _weights = weights;
    }

    /// <summary>Fixes the choice to <paramref name="picks"/>: from now on it runs those candidates with weight 1 and nothing else.</summary>
    /// <param name="picks">Exactly <see cref="Picks"/> distinct candidate indices.</param>
    /// <exception cref="ArgumentException">The wrong number of picks, or one out of range or repeated.</exception>
    public void Fix(IReadOnlyList<int> picks)
    {
        ArgumentNullException.ThrowIfNull(picks);
        if (picks.Count != Picks)
            throw new ArgumentException($"Choice '{Name}' keeps {Picks} candidate(s) but {picks.Count} pick(s) were given.", nameof(picks));
        CheckCandidates(picks, nameof(picks));
        _fixed = [.. picks.Order()];
        _fixedScales = null;
        _weights = null;
    }

    /// <summary>Fixes the choice to <paramref name="picks"/>, each pick's output multiplied by its constant scale (null: 1).</summary>
    /// <param name="picks">Exactly <see cref="Picks"/> distinct candidate indices, ascending.</param>
    /// <param name="scales">One scale per pick, in pick order, or null.</param>
    /// <exception cref="ArgumentException">The picks are wrong (see <see cref="Fix(IReadOnlyList{int})"/>), not ascending, or the scales are not one finite value per pick.</exception>
    internal void FixScaled(IReadOnlyList<int> picks, IReadOnlyList<float>? scales)
    {
        Fix(picks);
        if (scales is null) return;
        if (!picks.SequenceEqual(_fixed!))
            throw new ArgumentException($"Choice '{Name}': picks with scales must be ascending; got [{string.Join(", ", picks)}].", nameof(picks));
        if (scales.Count != picks.Count || scales.Any(v => !float.IsFinite(v)))
            throw new ArgumentException($"Choice '{Name}' keeps {picks.Count} candidate(s) but got the scales [{string.Join(", ", scales)}]; give one finite scale per pick.", nameof(scales));
        _fixedScales = [.. scales];
    }

    /// <summary>Computes the choice on its one input (every candidate reads <paramref name="input"/>).</summary>
    /// <param name="input">The input.</param>
    /// <returns>The weighted sum of the running candidates, normalised if the choice has a normalisation.</returns>
    public override Tensor forward(Tensor input)
    {
        if (HasInputs)
            throw new InvalidOperationException($"Choice '{Name}' has candidates that read other inputs; call forward with the list of inputs.");
        return forward([input]);
    }

    /// <summary>Computes the choice: candidate j reads <c>inputs[InputOf(j)]</c>.</summary>
    /// <param name="inputs">The inputs the candidates read.</param>
    /// <returns>The weighted sum of the running candidates, normalised if the choice has a normalisation.</returns>
    public Tensor forward(IReadOnlyList<Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        using var scope = NewDisposeScope();
        Tensor? sum = null;
        if (_probing)
        {
            sum = Probe(inputs);
        }
        else if (_fixed is not null)
        {
            for (int i = 0; i < _fixed.Length; i++)
            {
                Tensor pick = Run(_fixed[i], inputs);
                sum = Accumulate(sum, _fixedScales is null ? pick : pick.mul(_fixedScales[i]), null);
            }
        }
        else
        {
            NodeWeights w = _weights ?? throw new InvalidOperationException(
                $"Choice '{Name}' has no architecture: a search sets its weights before every step, and Fix(picks) fixes it.");
            for (int j = 0; j < w.Candidates.Length; j++)
            {
                using Tensor weight = w.Weights[j];
                sum = Accumulate(sum, Run(w.Candidates[j], inputs), weight);
            }
        }

        Tensor output = sum!;
        if (_normalization is not null) output = _normalization.call(output);
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Shape-check mode (set-up of a search, <see cref="ChoiceModel.Validate"/>): every forward runs every candidate once
    /// on its input, checks that their outputs have one shape, and passes candidate 0's output on.
    /// </summary>
    internal bool Probing
    {
        get => _probing;
        set
        {
            _probing = value;
            if (value) _probed = false;
        }
    }

    /// <summary>Whether a forward ran in <see cref="Probing"/> mode since it was switched on.</summary>
    internal bool Probed => _probed;

    private Tensor Probe(IReadOnlyList<Tensor> inputs)
    {
        var outputs = new Tensor[Count];
        for (int j = 0; j < Count; j++) outputs[j] = Run(j, inputs);
        for (int j = 1; j < Count; j++)
        {
            if (!outputs[j].shape.SequenceEqual(outputs[0].shape))
                throw new ArgumentException(
                    $"Choice '{Name}': candidate {j} ({_labels[j]}) gives an output of shape [{string.Join(", ", outputs[j].shape)}] but candidate 0 " +
                    $"({_labels[0]}) gives [{string.Join(", ", outputs[0].shape)}]; every candidate of a choice must give the same shape " +
                    "(checked on one batch of the data).");
        }
        _probed = true;
        return outputs[0];
    }

    private Tensor Run(int candidate, IReadOnlyList<Tensor> inputs)
    {
        int input = _inputs[candidate];
        if (input >= inputs.Count)
            throw new ArgumentException($"Candidate {candidate} of choice '{Name}' reads input {input}, but {inputs.Count} input(s) were given.", nameof(inputs));
        return candidates[candidate].call(inputs[input]);
    }

    private static Tensor Accumulate(Tensor? sum, Tensor output, Tensor? weight)
    {
        Tensor term = weight is null ? output : output.mul(weight);
        if (sum is null) return term;
        Tensor next = sum.add(term);
        sum.Dispose();
        term.Dispose();
        return next;
    }

    private void CheckCandidates(IReadOnlyList<int> chosen, string parameter)
    {
        var seen = new HashSet<int>();
        foreach (int c in chosen)
        {
            if (c < 0 || c >= Count)
                throw new ArgumentException($"Choice '{Name}' has candidates 0..{Count - 1}; {c} is out of range.", parameter);
            if (!seen.Add(c))
                throw new ArgumentException($"Choice '{Name}': candidate {c} is listed more than once.", parameter);
        }
    }

    private int CheckIndex(int index) =>
        index >= 0 && index < Count ? index : throw new ArgumentOutOfRangeException(nameof(index), index, $"Choice '{Name}' has candidates 0..{Count - 1}.");

    private static string LabelOf(nn.Module<Tensor, Tensor> module) => module?.GetName() ?? "null";
}
