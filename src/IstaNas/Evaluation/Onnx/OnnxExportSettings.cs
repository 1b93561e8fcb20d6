namespace IstaNas.Evaluation.Onnx;

/// <summary>How <see cref="OnnxExporter"/> writes a network.</summary>
internal sealed record OnnxExportSettings
{
    /// <summary>Fold each BN that directly follows a convolution into it (weights and a bias); other BNs stay BatchNormalization nodes. Default true.</summary>
    public bool FoldBatchNorm { get; init; } = true;

    /// <summary>Fixed image height of the input, or null for a symbolic "height" dimension.</summary>
    public int? Height { get; init; }

    /// <summary>Fixed image width of the input, or null for a symbolic "width" dimension.</summary>
    public int? Width { get; init; }

    /// <summary>The model's documentation (what the input and output mean).</summary>
    public string? DocString { get; init; }

    /// <summary>Documentation of the input "images" (its expected normalisation).</summary>
    public string? InputDocString { get; init; }

    /// <summary>Key-value metadata of the model (<c>metadata_props</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Metadata { get; init; } = [];
}
