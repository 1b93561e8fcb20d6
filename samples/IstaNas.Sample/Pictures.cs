using IstaNas.Evaluation;
using IstaNas.Strategies;
using IstaNas.Training;
using IstaNas.Visualization;

namespace IstaNas.Sample;

/// <summary>The run's plots and cell pictures (IstaNas.Visualization); a picture that cannot be written is reported, never fatal.</summary>
internal static class Pictures
{
    public static SavedFiles Write(string directory, SearchResult result) => RunPictures.Write(directory, result);

    public static SavedFiles Write(string directory, EvaluationResult result) => RunPictures.Write(directory, result);
}
