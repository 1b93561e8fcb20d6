using System.Text;
using System.Text.Json;
using IstaNas.IO;
using static TorchSharp.torch;

namespace IstaNas.Choices;

/// <summary>
/// The architecture found in any search space: per choice (by name) the picked candidates, ascending, with the score
/// that picked them (ISTA-NAS: |z|; DARTS: the softmax weight alpha; random: none). Saved and read as JSON
/// (<c>{"score":"|z|","choices":[{"name":"block1","picks":[0],"scores":[0.12]}, ...]}</c>); <see cref="Fix"/> turns a
/// model of the space into the network of this architecture. The DARTS cell space's readable view is its genotype.
/// </summary>
public sealed class Architecture
{
    private readonly ArchitectureChoice[] _choices;

    /// <summary>Creates an architecture from its choices.</summary>
    /// <param name="choices">One entry per choice; names unique, picks distinct and non-negative.</param>
    /// <param name="score">What the scores are ("|z|", "alpha"), or null when there are none.</param>
    /// <exception cref="ArgumentException">A repeated name, no picks, a repeated or negative pick, or scores not one per pick.</exception>
    public Architecture(IEnumerable<ArchitectureChoice> choices, string? score = null)
    {
        ArgumentNullException.ThrowIfNull(choices);
        _choices = [.. choices];
        Score = score;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (ArchitectureChoice c in _choices)
        {
            if (c is null || string.IsNullOrWhiteSpace(c.Name)) throw new ArgumentException("Every choice of an architecture needs a non-empty name.", nameof(choices));
            if (!names.Add(c.Name)) throw new ArgumentException($"The architecture lists choice '{c.Name}' twice.", nameof(choices));
            if (c.Picks is null || c.Picks.Count == 0) throw new ArgumentException($"Choice '{c.Name}' has no picks.", nameof(choices));
            if (c.Picks.Any(p => p < 0) || c.Picks.Distinct().Count() != c.Picks.Count)
                throw new ArgumentException($"Choice '{c.Name}' has picks [{string.Join(", ", c.Picks)}]; picks are distinct candidate indices from 0.", nameof(choices));
            if (c.Scores is not null && c.Scores.Count != c.Picks.Count)
                throw new ArgumentException($"Choice '{c.Name}' has {c.Picks.Count} picks but {c.Scores.Count} scores.", nameof(choices));
        }
    }

    /// <summary>The choices, in the order of the search space.</summary>
    public IReadOnlyList<ArchitectureChoice> Choices => _choices;

    /// <summary>What <see cref="ArchitectureChoice.Scores"/> are ("|z|" for ISTA-NAS, "alpha" for DARTS), or null.</summary>
    public string? Score { get; }

    /// <summary>Choice name -> picked candidates (ascending): the neutral form the spaces convert to and from.</summary>
    public IReadOnlyDictionary<string, int[]> Picks => _choices.ToDictionary(c => c.Name, c => c.Picks.ToArray(), StringComparer.Ordinal);

    /// <summary>An architecture from choice name -> picked candidates (sorted ascending here), without scores.</summary>
    /// <param name="picks">The picks per choice.</param>
    /// <returns>The architecture.</returns>
    public static Architecture FromPicks(IReadOnlyDictionary<string, int[]> picks)
    {
        ArgumentNullException.ThrowIfNull(picks);
        return new Architecture(picks.Select(p => new ArchitectureChoice(p.Key, p.Value is null ? [] : [.. p.Value.Order()])));
    }

    /// <summary>
    /// Fixes every choice of <paramref name="model"/> to this architecture's picks, so that it runs exactly them with
    /// weight 1 (<see cref="Choice.Fix"/>), and returns the model. Its weights are whatever the model holds: fresh from its
    /// constructor, or inherited if you loaded a search's weights into it first.
    /// </summary>
    /// <typeparam name="TModel">The model's type.</typeparam>
    /// <param name="model">A model of the searched space (built by the same factory).</param>
    /// <returns><paramref name="model"/>, fixed.</returns>
    /// <exception cref="ArgumentException">
    /// The model's choices and this architecture's differ: a choice missing on either side, a pick out of range, or the
    /// wrong number of picks (the message names the choice).
    /// </exception>
    public TModel Fix<TModel>(TModel model)
        where TModel : nn.Module
    {
        ArgumentNullException.ThrowIfNull(model);
        IReadOnlyList<(string Path, Choice Choice)> choices = ChoiceModel.CheckStructure(model);
        var byName = _choices.ToDictionary(c => c.Name, StringComparer.Ordinal);
        string[] missing = [.. choices.Select(c => c.Choice.Name).Where(n => !byName.ContainsKey(n))];
        if (missing.Length > 0)
            throw new ArgumentException($"The architecture has no picks for the model's choice(s) {string.Join(", ", missing.Select(n => $"'{n}'"))}.", nameof(model));
        var names = choices.Select(c => c.Choice.Name).ToHashSet(StringComparer.Ordinal);
        string[] extra = [.. _choices.Select(c => c.Name).Where(n => !names.Contains(n))];
        if (extra.Length > 0)
            throw new ArgumentException($"The model has no choice named {string.Join(", ", extra.Select(n => $"'{n}'"))}, which the architecture picks for.", nameof(model));
        foreach (var (_, choice) in choices)
        {
            ArchitectureChoice picked = byName[choice.Name];
            if (picked.Picks.Count != choice.Picks)
                throw new ArgumentException(
                    $"Choice '{choice.Name}' keeps {choice.Picks} of its {choice.Count} candidates, but the architecture picks {picked.Picks.Count}: [{string.Join(", ", picked.Picks)}].",
                    nameof(model));
            int bad = picked.Picks.FirstOrDefault(p => p >= choice.Count, -1);
            if (bad >= 0)
                throw new ArgumentException($"Choice '{choice.Name}' has candidates 0..{choice.Count - 1}; the architecture picks {bad}.", nameof(model));
        }
        foreach (var (_, choice) in choices) choice.Fix([.. byName[choice.Name].Picks]);
        return model;
    }

    /// <summary>Serialises to indented JSON (camelCase).</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(new ArchitectureDto(Score, [.. _choices]), JsonFormat.Indented);

    /// <summary>Parses JSON written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The text.</param>
    /// <returns>The architecture.</returns>
    /// <exception cref="FormatException">The text is not an architecture (the message says what is wrong).</exception>
    public static Architecture FromJson(string json)
    {
        ArchitectureDto? dto = JsonText.Deserialize<ArchitectureDto>(json, JsonFormat.Compact, "Not an architecture");
        if (dto?.Choices is null) throw new FormatException("Not an architecture: it has no \"choices\" list.");
        return JsonText.Build(() => new Architecture(dto.Choices, dto.Score), "Not a valid architecture");
    }

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    /// <param name="path">The file.</param>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        AtomicFile.WriteAllText(path, ToJson());
    }

    /// <summary>Reads an architecture saved by <see cref="Save"/>.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The architecture.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">The file is not an architecture (the message names it).</exception>
    public static Architecture Load(string path) => JsonText.Load(path, "Architecture", FromJson);

    /// <summary>One line per choice: <c>name: picks (scores)</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (ArchitectureChoice c in _choices)
        {
            sb.Append(c.Name).Append(": ").Append(string.Join(", ", c.Picks));
            if (c.Scores is not null)
                sb.Append(" (").Append(Score ?? "score").Append(' ').Append(string.Join(", ", c.Scores.Select(v => v.ToString("G4", System.Globalization.CultureInfo.InvariantCulture)))).Append(')');
            sb.AppendLine();
        }
        return sb.ToString();
    }

    private sealed record ArchitectureDto(string? Score, ArchitectureChoice[]? Choices);
}
