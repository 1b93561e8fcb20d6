using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using IstaNas.Checkpoints;
using IstaNas.Choices;
using static TorchSharp.torch;

namespace IstaNas.Evaluation;

/// <summary>
/// What the evaluation path needs of a user's fixed model (any <c>nn.Module&lt;Tensor, Tensor&gt;</c>, for example a
/// space whose choices were fixed): its state layout (parameter and buffer names with shapes), which keys checkpoints and
/// tells whether a model from the user's factory fits a file, its parameter count, and its output on one dry batch.
/// </summary>
internal static class FixedModel
{
    /// <summary>Metadata key of the layout in a saved model.</summary>
    public const string LayoutValue = "model.layout";

    /// <summary>Metadata key of the model's type name in a saved model.</summary>
    public const string TypeValue = "model.type";

    /// <summary>Metadata key of the picks of the model's fixed choices in a saved model.</summary>
    public const string ChoicesValue = "model.choices";

    /// <summary>Metadata key of the constant scales of fixed choices (a one-stage search's alpha where no BN absorbed it) in a saved model.</summary>
    public const string ScalesValue = "model.choiceScales";

    /// <summary>The constant scales of the model's fixed choices that have them (<see cref="Choice.FixedScales"/>), by choice name.</summary>
    public static Dictionary<string, float[]> FixedScales(nn.Module model)
    {
        var scales = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var (_, module) in model.named_modules())
            if (module is Choice { FixedScales: { } s } choice) scales.TryAdd(choice.Name, [.. s]);
        return scales;
    }

    /// <summary>
    /// The picks of every fixed <see cref="Choice"/> of the model, by choice name. Every candidate of a choice keeps its
    /// parameters whatever is picked, so the picks, not the layout, tell two fixed architectures of one space apart.
    /// </summary>
    /// <exception cref="ArgumentException">A choice is not fixed (the model is a search space, not a fixed model).</exception>
    public static Dictionary<string, int[]> FixedChoices(nn.Module model)
    {
        var picks = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var (path, module) in model.named_modules())
        {
            if (module is not Choice choice) continue;
            picks[choice.Name] = choice.FixedPicks is { } fixedPicks
                ? [.. fixedPicks]
                : throw new ArgumentException($"Choice '{choice.Name}' ('{path}') is not fixed: fix every choice (Choice.Fix) to train, save or load a fixed model.", nameof(model));
        }

        return picks;
    }

    /// <summary>
    /// Fixes the open choices of a model built by a factory to the saved picks (a model with fixed choices must have the
    /// saved picks), so a factory may build the search space itself.
    /// </summary>
    /// <exception cref="CheckpointException">A choice is missing, extra, or fixed to other picks.</exception>
    public static void ApplyChoices(string path, IReadOnlyDictionary<string, int[]> saved, nn.Module model, IReadOnlyDictionary<string, float[]>? scales = null)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (modulePath, module) in model.named_modules())
        {
            if (module is not Choice choice) continue;
            seen.Add(choice.Name);
            if (!saved.TryGetValue(choice.Name, out int[]? picks))
                throw new CheckpointException(path, $"the model from the factory has the choice '{choice.Name}' ('{modulePath}'), which the file does not hold.");
            float[]? scale = scales?.GetValueOrDefault(choice.Name);
            if (choice.FixedPicks is { } mine)
            {
                if (!mine.SequenceEqual(picks))
                    throw new CheckpointException(path,
                        $"the model from the factory fixes the choice '{choice.Name}' to [{string.Join(", ", mine)}], the file to [{string.Join(", ", picks)}]; " +
                        "give the factory of the open space or of the saved picks.");
                if (scale is null) continue;
            }

            try
            {
                choice.FixScaled([.. picks.Order()], scale);
            }
            catch (ArgumentException ex)
            {
                throw new CheckpointException(path, $"the saved picks of the choice '{choice.Name}' do not fit the model: {ex.Message}", ex);
            }
        }

        string? missing = saved.Keys.FirstOrDefault(k => !seen.Contains(k));
        if (missing is not null)
            throw new CheckpointException(path, $"the file holds the choice '{missing}', which the model from the factory does not have.");
    }

    /// <summary>Each parameter and buffer of the state, in state order, with its shape ("3x8", "scalar").</summary>
    public static Dictionary<string, string> Layout(nn.Module model)
    {
        var layout = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in model.state_dict())
            layout[name] = tensor.dim() == 0 ? "scalar" : string.Join("x", tensor.shape);
        return layout;
    }

    /// <summary>The run's fingerprint parts of a model: the hash of its layout.</summary>
    public static CheckpointFingerprint Fingerprint(CheckpointFingerprint fingerprint, nn.Module model)
    {
        string text = string.Join(";", Layout(model).Select(p => $"{p.Key}:{p.Value}"))
            + "|" + string.Join(";", FixedChoices(model).Select(p => $"{p.Key}:{string.Join(",", p.Value)}"));
        Dictionary<string, float[]> scales = FixedScales(model);
        if (scales.Count > 0) // only models with scales (one-stage results) add them, so older files keep their fingerprint
            text += "|" + string.Join(";", scales.Select(p => $"{p.Key}:{string.Join(",", p.Value.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}"));
        string hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16].ToLowerInvariant();
        return fingerprint.With("model.layout", hash);
    }

    /// <summary>Throws naming the first parameter or buffer that differs between a saved layout and a model's.</summary>
    /// <exception cref="CheckpointException">The model's state does not fit the saved one.</exception>
    public static void EnsureFits(string path, IReadOnlyDictionary<string, string> saved, nn.Module model, string? savedType)
    {
        Dictionary<string, string> actual = Layout(model);
        string type = model.GetType().Name;
        string Why(string detail) =>
            $"the model from the factory ({type}) does not fit the saved state{(savedType is null ? "" : $" of a {savedType}")}: {detail}. " +
            "Give a factory that builds the model that was trained (same architecture and sizes, the same choices fixed).";
        foreach (var (name, shape) in saved)
        {
            if (!actual.TryGetValue(name, out string? mine))
                throw new CheckpointException(path, Why($"the file has '{name}' ({shape}), the model has no such parameter or buffer"));
            if (mine != shape)
                throw new CheckpointException(path, Why($"'{name}' is {shape} in the file and {mine} in the model"));
        }

        string? extra = actual.Keys.FirstOrDefault(k => !saved.ContainsKey(k));
        if (extra is not null)
            throw new CheckpointException(path, Why($"the model has '{extra}' ({actual[extra]}), which the file does not hold"));
    }

    /// <summary>
    /// Number of parameter values that run: those of the model less those of the candidates its fixed choices do not
    /// pick (they stay in the module, and in checkpoints, but never run).
    /// </summary>
    public static long ParameterCount(nn.Module model)
    {
        var idle = new HashSet<TorchSharp.Modules.Parameter>(ReferenceEqualityComparer.Instance);
        foreach (var (_, module) in model.named_modules())
        {
            if (module is not Choice { FixedPicks: { } picks } choice) continue;
            for (int j = 0; j < choice.Count; j++)
            {
                if (!picks.Contains(j)) idle.UnionWith(choice.Candidate(j).parameters());
            }
        }

        return model.parameters().Where(p => !idle.Contains(p)).Sum(p => p.numel());
    }

    /// <summary>The number of class scores the model gives for one sample of zeros (its second output dimension).</summary>
    /// <exception cref="ArgumentException">The model fails on such an input or does not give scores [1, classes].</exception>
    public static int Classes(nn.Module<Tensor, Tensor> model, IReadOnlyList<int> sampleShape, Device device)
    {
        long[] shape = Output(model, sampleShape, device);
        if (shape.Length != 2 || shape[1] < 2)
            throw new ArgumentException(
                $"The model ({model.GetType().Name}) gives an output of shape [{string.Join(", ", shape)}] for one sample; class scores [1, classes] with at least 2 classes are expected.", nameof(model));
        return (int)shape[1];
    }

    /// <summary>
    /// The output shape of the model on one sample of zeros [1, …<paramref name="sampleShape"/>] in evaluation mode (its
    /// mode is given back), which must be class scores [1, <paramref name="classes"/>].
    /// </summary>
    /// <exception cref="ArgumentException">The model fails on such an input or gives another output shape.</exception>
    public static void CheckOutput(nn.Module<Tensor, Tensor> model, IReadOnlyList<int> sampleShape, int classes, Device device)
    {
        long[] shape = Output(model, sampleShape, device);
        if (shape.Length != 2 || shape[1] != classes)
            throw new ArgumentException(
                $"The model ({model.GetType().Name}) gives an output of shape [{string.Join(", ", shape)}] for an input of shape [1, {string.Join(", ", sampleShape)}]; " +
                $"class scores [1, {classes.ToString(CultureInfo.InvariantCulture)}] (one per class of the data) are expected.", nameof(model));
    }

    /// <summary>The output shape on one sample of zeros in evaluation mode (the model's mode is given back).</summary>
    private static long[] Output(nn.Module<Tensor, Tensor> model, IReadOnlyList<int> sampleShape, Device device)
    {
        bool training = model.training;
        try
        {
            model.eval();
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            return model.call(zeros([1, .. sampleShape.Select(d => (long)d)], device: device)).shape;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or ExternalException)
        {
            throw new ArgumentException(
                $"The model ({model.GetType().Name}) fails on an input of shape [1, {string.Join(", ", sampleShape)}], the shape of the data's samples: {ex.Message}", nameof(model), ex);
        }
        finally
        {
            model.train(training);
        }
    }
}
