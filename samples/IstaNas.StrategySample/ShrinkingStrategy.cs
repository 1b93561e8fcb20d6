using IstaNas.Strategies;

namespace StrategySample;

/// <summary>
/// A strategy of its own on the library's training loop: DARTS-style weights alpha per choice (softmax over the
/// candidates still in play), trained by the library's bilevel step, and after every epoch, in each choice with more
/// candidates than picks, the candidate of lowest alpha dropped. The loop gives it checkpoints, progress, cancellation
/// and bit-exact resume (<see cref="ShrinkingSearch"/> holds the hooks).
/// </summary>
/// <param name="options">The loop's options and Adam's learning rate.</param>
public sealed class ShrinkingStrategy(ShrinkingOptions options) : IStrategy
{
    /// <inheritdoc />
    public string Name => "shrinking";

    /// <inheritdoc />
    public SearchResult Run(SearchContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.HasChoiceSpace) throw new NotSupportedException("The shrinking strategy searches models with choices (SearchBuilder.UseSpace).");
        using var search = new ShrinkingSearch(Name, context, options);
        return search.Run(cancellationToken);
    }
}
