using IstaNas.Strategies;
using IstaNas.Training;

namespace IstaNas.Sample;

/// <summary>The run's plots and cell pictures; a picture that cannot be written is reported, never fatal.</summary>
internal static class Pictures
{
    public static SavedFiles Write(string directory, SearchResult result)
    {
        try
        {
            return new SavedFiles([.. Visualization.RunPictures.Write(directory, result)], []);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new SavedFiles([], [new FileFailure(directory, $"pictures: {ex.Message}")]);
        }
    }
}
