using IstaNas.Choices;
using static TorchSharp.torch;

namespace IstaNas.Spaces.Macro;

/// <summary>
/// NAS-Bench-Macro (Su et al., CVPR 2021; <c>xiusu/NAS-Bench-Macro</c>, Apache-2.0): a chain of 8 searchable layers, each
/// one of Identity (<c>0</c>), a MobileNetV2 block with kernel 3 and expansion 3 (<c>1</c>) or one with kernel 5 and
/// expansion 6 (<c>2</c>), between the stem and head of the benchmark's <c>train/model.py</c>, for 32x32 images. An
/// architecture is the benchmark's 8-character string (e.g. <c>22212220</c>), layer 0 first; the search model holds one
/// <see cref="Choice"/> per layer, named <c>layer0</c> .. <c>layer7</c>, keeping 1 of its 3 candidates.
/// </summary>
public static class MacroSpace
{
    /// <summary>The number of searchable layers (the length of an architecture string).</summary>
    public const int LayerCount = 8;

    /// <summary>Channels of the stem (model.py's <c>init_channels</c>).</summary>
    internal const int StemChannels = 32;

    /// <summary>Channels of the head's 1x1 convolution.</summary>
    internal const int HeadChannels = 1280;

    /// <summary>Layers per stage (model.py's <c>stages</c>); each stage starts with stride 2 and doubles the channels.</summary>
    internal static readonly int[] Stages = [2, 3, 3];

    private static readonly string[] LabelArray = ["identity", "mb_k3_e3", "mb_k5_e6"];
    private static readonly string[] NameArray = [.. Enumerable.Range(0, LayerCount).Select(i => $"layer{i}")];

    /// <summary>The candidates' labels, in candidate order (the digit of the architecture string): identity, mb_k3_e3, mb_k5_e6.</summary>
    public static IReadOnlyList<string> CandidateLabels => LabelArray;

    /// <summary>The choices' names, layer 0 first: <c>layer0</c> .. <c>layer7</c>.</summary>
    public static IReadOnlyList<string> ChoiceNames => NameArray;

    /// <summary>
    /// Creates the search model: the benchmark's network where every searchable layer is a <see cref="Choice"/> of the
    /// three candidates keeping 1 (the candidates are built exactly as in <see cref="CreateNetwork"/>).
    /// </summary>
    /// <param name="classCount">Outputs of the classifier (10 for CIFAR-10).</param>
    /// <param name="inputChannels">Channels of the input images (3 in the benchmark).</param>
    /// <param name="normalizeLayers">
    /// Whether every choice normalises its output with a non-affine <c>BatchNorm2d</c> (<see cref="Choice.NormalizedBy"/>).
    /// The default, and what ISTA-NAS needs: its weight alpha starts near 1e-3 and nothing in the chain renormalises a
    /// layer's output before the next layer's shortcut and Identity (docs/search-spaces.md). Without it, a fixed search
    /// model computes exactly the benchmark's network of its picks.
    /// </param>
    /// <returns>The search model (a sequence named <c>stem</c>, <c>features</c>, <c>out</c>, <c>flatten</c>, <c>classifier</c>).</returns>
    public static nn.Module<Tensor, Tensor> CreateSearchModel(int classCount = 10, int inputChannels = 3, bool normalizeLayers = true)
    {
        CheckSizes(classCount, inputChannels);
        var layers = MacroLayer.All.Select(layer =>
        {
            Choice choice = Choice.Of(NameArray[layer.Index], 1, [.. Enumerable.Range(0, LabelArray.Length).Select(c => MacroBlocks.Candidate(layer, c))])
                .WithLabels(LabelArray);
            return normalizeLayers ? choice.NormalizedBy(nn.BatchNorm2d(layer.OutChannels, affine: false)) : choice;
        });
        return MacroBlocks.Network(inputChannels, layers, classCount);
    }

    /// <summary>
    /// Creates the stand-alone network of one architecture, module for module as the benchmark's <c>Network(arch)</c>
    /// builds it (same layers, strides, channels, BN settings, ReLU activations, shortcut rule, head; parameter names as
    /// its state dict): its parameter count is the table's <c>params</c>.
    /// </summary>
    /// <param name="architecture">8 characters of 0, 1, 2 (e.g. <c>22212220</c>).</param>
    /// <param name="classCount">Outputs of the classifier (10 for CIFAR-10).</param>
    /// <param name="inputChannels">Channels of the input images (3 in the benchmark).</param>
    /// <returns>The network.</returns>
    /// <exception cref="ArgumentException">The architecture is not 8 characters of 0, 1, 2.</exception>
    public static nn.Module<Tensor, Tensor> CreateNetwork(string architecture, int classCount = 10, int inputChannels = 3)
    {
        int[] digits = Parse(architecture, nameof(architecture));
        CheckSizes(classCount, inputChannels);
        return MacroBlocks.Network(inputChannels, MacroLayer.All.Select(layer => MacroBlocks.Candidate(layer, digits[layer.Index])), classCount);
    }

    /// <summary>The neutral form of an architecture: choice name (<c>layer0</c> .. <c>layer7</c>) to its one picked candidate.</summary>
    /// <param name="architecture">8 characters of 0, 1, 2.</param>
    /// <returns>The picks of every layer.</returns>
    /// <exception cref="ArgumentException">The architecture is not 8 characters of 0, 1, 2.</exception>
    public static IReadOnlyDictionary<string, int[]> ToPicks(string architecture)
    {
        int[] digits = Parse(architecture, nameof(architecture));
        return Enumerable.Range(0, LayerCount).ToDictionary(i => NameArray[i], i => new[] { digits[i] }, StringComparer.Ordinal);
    }

    /// <summary>The architecture string of picks in the neutral form (the inverse of <see cref="ToPicks"/>).</summary>
    /// <param name="picks">Exactly the choices <c>layer0</c> .. <c>layer7</c>, each with one candidate in 0..2.</param>
    /// <returns>The 8-character string.</returns>
    /// <exception cref="ArgumentException">A layer is missing, an unknown choice is present, or a layer's picks are not one index in 0..2.</exception>
    public static string FromPicks(IReadOnlyDictionary<string, int[]> picks)
    {
        ArgumentNullException.ThrowIfNull(picks);
        string? unknown = picks.Keys.FirstOrDefault(k => !NameArray.Contains(k, StringComparer.Ordinal));
        if (unknown is not null)
            throw new ArgumentException($"'{unknown}' is not a choice of NAS-Bench-Macro; its choices are {string.Join(", ", NameArray)}.", nameof(picks));
        var chars = new char[LayerCount];
        for (int i = 0; i < LayerCount; i++)
        {
            if (!picks.TryGetValue(NameArray[i], out int[]? chosen))
                throw new ArgumentException($"The picks have no entry for choice '{NameArray[i]}'; NAS-Bench-Macro needs all of {string.Join(", ", NameArray)}.", nameof(picks));
            if (chosen is null || chosen.Length != 1)
                throw new ArgumentException($"Choice '{NameArray[i]}' keeps exactly 1 candidate, but {(chosen is null ? "null" : chosen.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))} pick(s) were given.", nameof(picks));
            if (chosen[0] is < 0 or > 2)
                throw new ArgumentException($"Choice '{NameArray[i]}' has candidates 0..2 ({string.Join(", ", LabelArray)}); {chosen[0]} is out of range.", nameof(picks));
            chars[i] = (char)('0' + chosen[0]);
        }

        return new string(chars);
    }

    /// <summary>The digits of a valid architecture string, or an error that says what is wrong with it.</summary>
    internal static int[] Parse(string architecture, string parameter)
    {
        ArgumentNullException.ThrowIfNull(architecture, parameter);
        if (architecture.Length != LayerCount)
            throw new ArgumentException(
                $"A NAS-Bench-Macro architecture has {LayerCount} characters of 0, 1, 2 (one per layer, e.g. 22212220); '{architecture}' has {architecture.Length}.", parameter);
        int bad = architecture.AsSpan().IndexOfAnyExcept("012");
        if (bad >= 0)
            throw new ArgumentException(
                $"A NAS-Bench-Macro architecture has only the characters 0 (identity), 1 (mb_k3_e3) and 2 (mb_k5_e6); '{architecture}' has '{architecture[bad]}' at position {bad}.", parameter);
        return [.. architecture.Select(c => c - '0')];
    }

    private static void CheckSizes(int classCount, int inputChannels)
    {
        if (classCount < 1) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "The classifier needs at least 1 output.");
        if (inputChannels < 1) throw new ArgumentOutOfRangeException(nameof(inputChannels), inputChannels, "The images need at least 1 channel.");
    }
}
