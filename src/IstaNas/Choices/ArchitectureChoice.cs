namespace IstaNas.Choices;

/// <summary>One choice of an <see cref="Architecture"/>.</summary>
/// <param name="Name">The choice's name.</param>
/// <param name="Picks">The picked candidates, ascending.</param>
/// <param name="Scores">The score of each pick (|z| or alpha, see <see cref="Architecture.Score"/>), or null.</param>
public sealed record ArchitectureChoice(string Name, IReadOnlyList<int> Picks, IReadOnlyList<double>? Scores = null);
