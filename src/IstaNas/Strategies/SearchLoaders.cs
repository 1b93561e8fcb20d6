using IstaNas.Data;
using IstaNas.Training;

namespace IstaNas.Strategies;

/// <summary>The data loaders of a search: augmentation, a seeded shuffling loader, the bilevel split of the authors.</summary>
internal static class SearchLoaders
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
}
