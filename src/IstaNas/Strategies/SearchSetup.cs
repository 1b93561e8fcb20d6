using IstaNas.Architecture;
using IstaNas.Choices;
using IstaNas.Data;
using IstaNas.Networks;
using IstaNas.SearchSpace;
using IstaNas.Training;
using static TorchSharp.torch;
using ChoiceArchitecture = IstaNas.Choices.Architecture;

namespace IstaNas.Strategies;

/// <summary>The pieces every search strategy builds the same way: augmentation, loaders, the super-net's options.</summary>
internal static class SearchSetup
{
    /// <summary>Crop and flip (and cutout when asked) as the options say, or normalisation only; none for data that are not images.</summary>
    public static AugmentationPipeline Augmentation(TrainingOptions o, LabelledDataset data) =>
        o.Augment && data is ImageDataset ? AugmentationPipeline.Standard(o.Cutout ? o.CutoutLength : 0) : AugmentationPipeline.None;

    /// <summary>A shuffling, batch-dropping loader over <paramref name="data"/> on the context's device.</summary>
    public static BatchLoader Loader(LabelledDataset data, SearchContext context, TrainingOptions o, int seedOffset) =>
        new(data, new BatchLoaderOptions
        {
            BatchSize = o.BatchSize,
            Shuffle = true,
            Seed = unchecked((int)context.Seed + seedOffset),
            DropLast = true,
            Augmentation = Augmentation(o, data),
            Device = context.Device,
        });

    /// <summary>
    /// The bilevel split of the authors: the first <paramref name="trainPortion"/> of the training set trains W, the
    /// rest the architecture; one step takes a batch from each, so an epoch has as many steps as the shorter split.
    /// </summary>
    /// <exception cref="ArgumentException">A split holds less than one batch.</exception>
    public static (BatchLoader Train, BatchLoader Valid, int Steps) BilevelLoaders(
        SearchContext context, TrainingOptions o, double trainPortion, string architecture)
    {
        TrainingData.RequireTwoClasses(context.Train, "training");
        (LabelledDataset trainSet, LabelledDataset validSet) = context.Train.Split(trainPortion);
        if (trainSet.Count < o.BatchSize || validSet.Count < o.BatchSize)
            throw new ArgumentException(
                $"The training set '{context.Train.Name}' has {context.Train.Count} images; split {trainPortion:0.##}/{1 - trainPortion:0.##} " +
                $"that leaves {trainSet.Count} for W and {validSet.Count} for {architecture}, fewer than one batch of {o.BatchSize}.", nameof(context));
        BatchLoader train = Loader(trainSet, context, o, 0), valid = Loader(validSet, context, o, 1);
        int steps = Math.Min(train.BatchesPerEpoch, valid.BatchesPerEpoch);
        return (train, valid, o.MaxStepsPerEpoch is int cap ? Math.Min(steps, cap) : steps);
    }

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

    /// <summary>The architecture of a compressed space: per decision its top-s |z|, ascending, scored by |z|.</summary>
    public static ChoiceArchitecture Architecture(ICompressedSearchSpace space)
    {
        IReadOnlyDictionary<string, double[]> z = space.ZMagnitudes();
        return new ChoiceArchitecture(space.Picks().Select(p => new ArchitectureChoice(p.Key, p.Value, [.. p.Value.Select(j => z[p.Key][j])])), "|z|");
    }

    /// <summary>
    /// A DARTS cell genotype as an architecture of the cell space's decisions ("normal/0" .. "reduce/N-1"): per node the
    /// candidates <c>predecessor * K + operation</c> of its edges (K = <paramref name="operations"/>, as the two-stage cell
    /// space numbers them), ascending, without scores.
    /// </summary>
    public static ChoiceArchitecture CellArchitecture(Genotype genotype, IReadOnlyList<string> operations)
    {
        List<string> ops = [.. operations];
        var choices = new List<ArchitectureChoice>();
        foreach (CellType cell in new[] { CellType.Normal, CellType.Reduce })
            for (int i = 0; i < genotype.Nodes; i++)
                choices.Add(new ArchitectureChoice(NodeKeys.Of(cell, i),
                    [.. genotype.NodeEdges(cell, i).Select(e => CandidateIndex.Of(e.Input, ops.IndexOf(e.Operation), ops.Count)).Order()]));
        return new ChoiceArchitecture(choices);
    }
}
