using static TorchSharp.torch;

namespace IstaNas.Choices;

/// <summary>
/// The choices of a model: found in the model's <c>named_modules()</c> order (a stable order: the order the modules were
/// registered), with their module paths, and checked at the set-up of a search.
/// </summary>
internal static class ChoiceModel
{
    /// <summary>The choices of <paramref name="model"/>, in <c>named_modules()</c> order, with their paths.</summary>
    /// <param name="model">The model.</param>
    /// <returns>(module path, choice) pairs; empty when the model holds no choice.</returns>
    public static IReadOnlyList<(string Path, Choice Choice)> Find(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var found = new List<(string, Choice)>();
        if (model is Choice self) found.Add((string.Empty, self));
        foreach ((string name, nn.Module module) in model.named_modules())
            if (module is Choice choice && !ReferenceEquals(choice, model)) found.Add((name, choice));
        return found;
    }

    /// <summary>
    /// Checks that <paramref name="model"/> is a search space: it holds at least one choice, the choices' names are
    /// unique (or all marked shared, see <see cref="Choice.Shared"/>), every choice has K &gt;= 2 and s &lt; K, every choice runs in the model's forward pass and all candidates of a
    /// choice give outputs of one shape on <paramref name="sample"/> (every candidate of every choice runs once, in
    /// evaluation mode, without gradient; the model's training mode is restored after).
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="sample">One batch of inputs of the shape the search will feed (its values do not matter).</param>
    /// <returns>The choices, as <see cref="Find"/>.</returns>
    /// <exception cref="ArgumentException">The model is not a valid search space; the message names the choice and the problem.</exception>
    public static IReadOnlyList<(string Path, Choice Choice)> Validate(nn.Module<Tensor, Tensor> model, Tensor sample)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sample);
        IReadOnlyList<(string Path, Choice Choice)> choices = CheckStructure(model);
        bool training = model.training;
        foreach (var (_, c) in choices) c.Probing = true;
        try
        {
            model.eval();
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            model.call(sample);
        }
        finally
        {
            foreach (var (_, c) in choices) c.Probing = false;
            model.train(training);
        }
        var silent = choices.Where(c => !c.Choice.Probed).Select(c => $"'{c.Choice.Name}' (at {PathOf(c.Path)})").ToArray();
        if (silent.Length > 0)
            throw new ArgumentException(
                $"The model's forward pass never called choice {string.Join(", ", silent)}: a choice that does not run gets no gradient and " +
                "its decision means nothing. Call every choice in forward (or remove it).", nameof(model));
        return choices;
    }

    /// <summary>The checks that need no data: at least one choice, unique names, K &gt;= 2, s &lt; K.</summary>
    /// <param name="model">The model.</param>
    /// <returns>The choices.</returns>
    /// <exception cref="ArgumentException">A check fails.</exception>
    public static IReadOnlyList<(string Path, Choice Choice)> CheckStructure(nn.Module model)
    {
        IReadOnlyList<(string Path, Choice Choice)> choices = Find(model);
        if (choices.Count == 0)
            throw new ArgumentException(
                $"The model {model.GetType().Name} holds no Choice module: it has nothing to search. Put Choice.Of(...) or Choice.OverInputs(...) " +
                "among its modules (as fields registered with RegisterComponents, or with register_module).", nameof(model));
        var byName = new Dictionary<string, (string Path, Choice Choice)>(StringComparer.Ordinal);
        foreach (var (path, choice) in choices)
        {
            if (byName.TryGetValue(choice.Name, out var other))
                CheckShared(other, (path, choice));
            else
                byName[choice.Name] = (path, choice);
            if (choice.Count < 2)
                throw new ArgumentException($"Choice '{choice.Name}' has {choice.Count} candidate(s); a choice needs at least 2 (K >= 2).", nameof(model));
            if (choice.Picks < 1 || choice.Picks >= choice.Count)
                throw new ArgumentException($"Choice '{choice.Name}' keeps {choice.Picks} of {choice.Count} candidates; s must be in 1..{choice.Count - 1}.", nameof(model));
        }
        return choices;
    }

    /// <summary>The decisions of <paramref name="choices"/>: choices grouped by name, in order of first appearance (a shared decision holds several).</summary>
    /// <param name="choices">Choices checked by <see cref="CheckStructure"/>.</param>
    /// <returns>One array of choices per decision.</returns>
    public static IReadOnlyList<Choice[]> Decisions(IEnumerable<(string Path, Choice Choice)> choices) =>
        [.. choices.GroupBy(c => c.Choice.Name, StringComparer.Ordinal).Select(g => g.Select(c => c.Choice).ToArray())];

    private static void CheckShared((string Path, Choice Choice) first, (string Path, Choice Choice) next)
    {
        Choice a = first.Choice, b = next.Choice;
        string where = $"at {PathOf(first.Path)} and {PathOf(next.Path)}";
        if (!a.IsShared || !b.IsShared)
            throw new ArgumentException(
                $"Two choices are named '{a.Name}' ({where}); the name keys a choice in architectures and checkpoints, so it must be unique, " +
                "unless the choices are one shared decision: then mark every choice of that name with .Shared().", "model");
        if (a.Count != b.Count || a.Picks != b.Picks || !a.Labels.SequenceEqual(b.Labels, StringComparer.Ordinal))
            throw new ArgumentException(
                $"The shared choices named '{a.Name}' ({where}) differ: K {a.Count} vs {b.Count}, picks {a.Picks} vs {b.Picks}, labels " +
                $"[{string.Join(", ", a.Labels)}] vs [{string.Join(", ", b.Labels)}]; the choices of one shared decision need the same K, picks and labels.", "model");
    }

    private static string PathOf(string path) => path.Length == 0 ? "the model itself" : path;
}
