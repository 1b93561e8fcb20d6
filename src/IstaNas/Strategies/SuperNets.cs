using IstaNas.Architecture;
using IstaNas.Choices;
using IstaNas.Networks;
using IstaNas.SearchSpace;
using IstaNas.SparseCoding;
using IstaNas.Training;
using static TorchSharp.torch;

namespace IstaNas.Strategies;

/// <summary>
/// The super-nets a built-in search runs on: the options of the DARTS cell super-net, the super-net of a model with
/// choices, and the decisions (with their m) of a compressed space over those choices.
/// </summary>
internal static class SuperNets
{
    /// <summary>The super-net of the context's data and search space at the options' size.</summary>
    public static SuperNetOptions Network(SearchContext context, TrainingOptions o, IReadOnlyList<string> operations, bool auxiliary = false) =>
        new(o.NetworkShape(context.Train, auxiliary)) { Nodes = context.SearchSpace.Nodes, Operations = operations };

    /// <summary>
    /// A fresh model of the context's space, checked (<see cref="ChoiceModel.Validate"/>) on one batch of the training
    /// data's shape, wrapped as a super-net. The only place that takes the input shape from the data set.
    /// </summary>
    /// <exception cref="ArgumentException">The model is not a valid search space (the message names the choice).</exception>
    public static ChoiceSuperNet ChoiceNetwork(SearchContext context)
    {
        Func<nn.Module<Tensor, Tensor>> factory = context.Space ?? throw new InvalidOperationException("The context searches the DARTS cell space.");
        nn.Module<Tensor, Tensor> model = factory() ?? throw new ArgumentException("The space's model factory returned null.", nameof(context));
        try
        {
            using Tensor sample = zeros([2, .. context.Train.SampleShape.Select(d => (long)d)]);
            return new ChoiceSuperNet(model, sample);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The super-net of the context's model (<see cref="ChoiceNetwork"/>), then the compressed space over its choices
    /// (<see cref="CompressedDecisions"/>), in that order: the choices are the space's decisions. The network is disposed
    /// if the space cannot be built.
    /// </summary>
    public static (ChoiceSuperNet Net, CompressedSearchSpace Space) CompressedChoiceSpace(SearchContext context)
    {
        ChoiceSuperNet net = ChoiceNetwork(context);
        try
        {
            return (net, CompressedSearchSpace.ForDecisions(CompressedDecisions(net.Decisions, context.SearchSpace), context.SearchSpace,
                SparseCoder.Create(context.SparseCoder), context.Seed, context.Device));
        }
        catch
        {
            net.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The decisions of a compressed space over a model's choices: m of a choice is
    /// <see cref="SearchSpaceOptions.ProjectionDimsByChoice"/>'s entry for its name, else <c>min(ProjectionDims, K - 1)</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A choice's m is not in s..K-1 (the message names the choice), or an entry names no choice.</exception>
    public static Decision[] CompressedDecisions(IReadOnlyList<Decision> decisions, SearchSpaceOptions options)
    {
        string[] unknown = [.. options.ProjectionDimsByChoice.Keys.Where(k => decisions.All(d => d.Key != k))];
        if (unknown.Length > 0)
            throw new ArgumentException(
                $"SearchSpace.ProjectionDimsByChoice names {string.Join(", ", unknown.Select(k => $"'{k}'"))}, which the model has no choice of; its choices are {Describe(decisions)}.",
                nameof(options));
        Decision[] result = [.. decisions.Select(d => d with
        {
            ProjectionDims = options.ProjectionDimsByChoice.TryGetValue(d.Key, out int m) ? m : Decision.DefaultProjectionDims(options.ProjectionDims, d.Count),
        })];
        foreach (Decision d in result)
            if (d.Problem() is string problem) throw new ArgumentException(problem, nameof(options));
        return result;
    }

    /// <summary>"name (K = 3, s = 1, m = 2), ..." for logs and fingerprints.</summary>
    public static string Describe(IEnumerable<Decision> decisions) =>
        string.Join(", ", decisions.Select(d => d.ProjectionDims > 0 ? $"{d.Key} (K = {d.Count}, s = {d.Picks}, m = {d.ProjectionDims})" : $"{d.Key} (K = {d.Count}, s = {d.Picks})"));
}
