using System.Globalization;
using System.Text.Json;
using IstaNas.Networks;
using TorchSharp;

namespace IstaNas.Evaluation;

/// <summary>
/// Writes a <see cref="TrainedNetwork"/>'s weights as a safetensors file under the parameter names of DARTS' own
/// <c>cnn/model.py</c> (<see cref="DartsStateDict"/>), so that <c>NetworkCIFAR</c> / <c>NetworkImageNet</c> built from the
/// genotype loads them with <c>load_state_dict(..., strict=True)</c>. The header's <c>__metadata__</c> says how to build
/// that network: <c>darts_model</c>, <c>genotype</c> (DARTS form), <c>C</c>, <c>layers</c>, <c>auxiliary</c>,
/// <c>num_classes</c>, plus <c>input_channels</c>, <c>class_names</c>, <c>mean</c>, <c>std</c> (JSON arrays) and the image size when known.
/// </summary>
internal static class SafetensorsExport
{
    /// <summary>Writes the file atomically.</summary>
    /// <exception cref="NotSupportedException">The network has modules DARTS' model.py does not have (see <see cref="DartsStateDict.Entries"/>).</exception>
    public static void Write(TrainedNetwork trained, string path)
    {
        ArgumentNullException.ThrowIfNull(trained);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        EvaluationNetwork network = trained.Network;
        EvaluationNetworkOptions o = network.Options;
        string Int(int v) => v.ToString(CultureInfo.InvariantCulture);
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["producer"] = "IstaNas",
            ["darts_model"] = network.Layout == NetworkLayout.ImageNet ? "NetworkImageNet" : "NetworkCIFAR",
            ["genotype"] = trained.Genotype.ToDartsString(),
            ["C"] = Int(o.Channels),
            ["layers"] = Int(o.Layers),
            ["auxiliary"] = network.AuxiliaryHead is null ? "False" : "True",
            ["num_classes"] = Int(o.Classes),
            ["input_channels"] = Int(o.InputChannels),
            ["class_names"] = JsonSerializer.Serialize(trained.ClassNames),
            ["mean"] = JsonSerializer.Serialize(trained.Mean),
            ["std"] = JsonSerializer.Serialize(trained.Std),
        };
        if (trained.ImageHeight is int h && trained.ImageWidth is int w)
        {
            metadata["image_height"] = Int(h);
            metadata["image_width"] = Int(w);
        }

        using var noGrad = torch.no_grad();
        SafetensorsWriter.Write(path, DartsStateDict.Entries(network), metadata);
    }
}
