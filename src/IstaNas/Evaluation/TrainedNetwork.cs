using System.Globalization;
using System.Text.Json;
using IstaNas.Architecture;
using IstaNas.Data;
using IstaNas.Evaluation.Onnx;
using IstaNas.Networks;
using TorchSharp;

namespace IstaNas.Evaluation;

/// <summary>
/// A trained <see cref="EvaluationNetwork"/> ready to deploy: the network, its genotype, and what a caller needs to feed it
/// and read its answer (class names, input normalisation, image size). Saves to and loads from one checkpoint file
/// (kind "network": weights in TorchSharp's format in section "network", the genotype, the network options and the
/// data metadata as values), predicts class probabilities, and exports an ONNX model. Owns the network: disposing
/// this disposes it.
/// </summary>
public sealed partial class TrainedNetwork : IDisposable
{
    /// <summary>The checkpoint kind of a saved network.</summary>
    public const string Kind = "network";

    /// <summary>Name of the checkpoint value holding the <see cref="ModelMetadata"/> (absent in files of older versions).</summary>
    private const string DataValue = "data";

    private readonly string[] _classNames;
    private readonly float[] _mean;
    private readonly float[] _std;
    private readonly ImageResizeMode? _resizeMode;
    private readonly int? _resizeSize;
    private readonly IReadOnlyDictionary<string, string>? _annotations;
    private readonly EvaluationNetwork? _network;
    private readonly torch.nn.Module<torch.Tensor, torch.Tensor> _model;
    private readonly Genotype? _genotype;
    private readonly int[]? _inputShape;
    private bool _disposed;

    /// <summary>Wraps a trained network; the new object owns it.</summary>
    /// <param name="network">The network.</param>
    /// <param name="genotype">The genotype it was built from (must describe the network's cells).</param>
    /// <param name="metadata">Class names, normalisation and image size; null or missing parts take the defaults (names "0" .. "k-1", mean 0, std 1, size unknown).</param>
    /// <exception cref="ArgumentException">The genotype does not describe the network, or the metadata does not fit it (the message says which part).</exception>
    public TrainedNetwork(EvaluationNetwork network, Genotype genotype, ModelMetadata? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(genotype);
        if (!SameCells(network, genotype))
            throw new ArgumentException("The genotype does not describe the network's cells.", nameof(genotype));
        (_classNames, _mean, _std) = Resolve(network.Options.Classes, network.Options.InputChannels, metadata ?? new ModelMetadata(), nameof(metadata));
        _network = network;
        _model = network;
        _genotype = genotype;
        ImageHeight = metadata?.ImageHeight;
        ImageWidth = metadata?.ImageWidth;
        _resizeMode = metadata?.ResizeMode;
        _resizeSize = metadata?.ResizeSize;
        _annotations = metadata?.Annotations;
    }

    /// <summary>The network.</summary>
    /// <exception cref="InvalidOperationException">This is a model of your own: read <see cref="Model"/>.</exception>
    public EvaluationNetwork Network => _network ?? throw new InvalidOperationException($"This is a model of your own ({_model.GetType().Name}), not a genotype's network; read Model.");

    /// <summary>Its genotype.</summary>
    /// <exception cref="InvalidOperationException">This is a model of your own, which has no genotype.</exception>
    public Genotype Genotype => _genotype ?? throw new InvalidOperationException($"This is a model of your own ({_model.GetType().Name}), which has no genotype.");

    /// <summary>One name per class, in label order.</summary>
    public IReadOnlyList<string> ClassNames => _classNames;

    /// <summary>Per-channel mean of pixel/255 that <see cref="Predict"/> subtracts from raw pixels.</summary>
    public IReadOnlyList<float> Mean => _mean;

    /// <summary>Per-channel standard deviation of pixel/255 that <see cref="Predict"/> divides raw pixels by.</summary>
    public IReadOnlyList<float> Std => _std;

    /// <summary>Channels of the input images (the network's <see cref="Networks.NetworkShape.InputChannels"/>).</summary>
    public int InputChannels => _network?.Options.InputChannels ?? _inputShape![0];

    /// <summary>Height of the images the network was trained on, or null when unknown (then any size is accepted).</summary>
    public int? ImageHeight { get; }

    /// <summary>Width of the images the network was trained on, or null when unknown.</summary>
    public int? ImageWidth { get; }

    /// <summary>The metadata with every default filled in (what <see cref="Save"/> writes).</summary>
    public ModelMetadata Metadata => new()
    {
        ClassNames = _classNames,
        Mean = _mean,
        Std = _std,
        ImageHeight = ImageHeight,
        ImageWidth = ImageWidth,
        ResizeMode = _resizeMode,
        ResizeSize = _resizeSize,
        Annotations = _annotations,
        InputShape = _inputShape,
    };

    /// <summary>Writes the network, its genotype, options and metadata to <paramref name="path"/> atomically.</summary>
    /// <param name="path">The file, conventionally <c>model.ckpt</c>.</param>
    public void Save(string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_network is null || _genotype is null)
            WriteModel(path, _model, Metadata);
        else
            Write(path, _network, _genotype, Metadata);
    }

    /// <summary>
    /// Writes the network as an ONNX model (opset 13) atomically: input <c>images</c> float32 [batch, C, H, W] normalised
    /// as <c>(pixel / 255 - Mean[c]) / Std[c]</c> (height and width fixed when known), output <c>logits</c> float32
    /// [batch, classes]. The class names, mean, std and genotype are in the model's <c>metadata_props</c>
    /// (<c>class_names</c>, <c>mean</c>, <c>std</c> as JSON arrays; <c>genotype</c> in DARTS form). Batch norms that
    /// follow a convolution are folded into it; the auxiliary head is not exported.
    /// </summary>
    /// <param name="path">The .onnx file; its directory is created when missing.</param>
    public void ExportOnnx(string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (_network is null || _genotype is null)
        {
            ExportModelOnnx(path);
            return;
        }

        string mean = JsonSerializer.Serialize(_mean), std = JsonSerializer.Serialize(_std);
        string size = ImageHeight is int h && ImageWidth is int w ? string.Create(CultureInfo.InvariantCulture, $"{h} x {w}") : "any size";
        string input = $"float32 [batch, {InputChannels}, height, width] ({size}): pixel values divided by 255, then per channel c " +
                       $"(x - mean[c]) / std[c] with mean {mean} and std {std}.";
        var metadata = new List<KeyValuePair<string, string>>
        {
            new("class_names", JsonSerializer.Serialize(_classNames)),
            new("mean", mean),
            new("std", std),
            new("normalization", "(pixel / 255 - mean[c]) / std[c]"),
            new("input_channels", InputChannels.ToString(CultureInfo.InvariantCulture)),
            new("genotype", Genotype.ToDartsString()),
        };
        if (ImageHeight is int height && ImageWidth is int width)
        {
            metadata.Add(new("image_height", height.ToString(CultureInfo.InvariantCulture)));
            metadata.Add(new("image_width", width.ToString(CultureInfo.InvariantCulture)));
        }

        if (_resizeSize is int resize)
        {
            metadata.Add(new("resize_size", resize.ToString(CultureInfo.InvariantCulture)));
            metadata.Add(new("preprocessing", $"bring the image to {resize} x {resize} ({(_resizeMode == ImageResizeMode.CenterCrop ? "shorter side to " + resize.ToString(CultureInfo.InvariantCulture) + ", central square" : "stretched")}), keep the central {ImageHeight} x {ImageWidth}"));
        }
        else if (_resizeMode is ImageResizeMode mode)
        {
            metadata.Add(new("preprocessing", $"bring the image to {ImageHeight} x {ImageWidth} ({(mode == ImageResizeMode.CenterCrop ? "shorter side, central square" : "stretched")})"));
        }

        OnnxExporter.Export(_network, path, new OnnxExportSettings
        {
            Height = ImageHeight,
            Width = ImageWidth,
            InputDocString = input,
            DocString = $"IstaNas evaluation network ({_network.Options.Classes} classes). Input 'images': {input} " +
                        "Output 'logits': float32 [batch, classes], unnormalised scores (softmax gives probabilities); class names in metadata 'class_names'.",
            Metadata = metadata,
        });
    }

    /// <summary>
    /// Writes the weights as a safetensors file atomically, under the parameter names of DARTS' own <c>cnn/model.py</c>
    /// (quark0/darts): <c>NetworkCIFAR</c> or <c>NetworkImageNet</c> built from <see cref="Genotype"/> loads it with
    /// <c>load_state_dict(safetensors.torch.load_file(path), strict=True)</c>, auxiliary head included when the network has one.
    /// The header's metadata says how to build that network (genotype in DARTS form, C, layers, auxiliary, classes) and holds
    /// the class names and normalisation.
    /// </summary>
    /// <param name="path">The .safetensors file; its directory is created when missing.</param>
    /// <exception cref="NotSupportedException">The network has batch norms after pools and skips (the one-stage form), which DARTS' model.py has not.</exception>
    public void ExportSafetensors(string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        SafetensorsExport.Write(this, path);
    }

    /// <summary>Classifies a batch of images in evaluation mode (the network's mode is restored afterwards).</summary>
    /// <param name="images">
    /// Either raw pixels, uint8 [N, C, H, W] (normalised here with <see cref="Mean"/> and <see cref="Std"/>), or images
    /// already normalised that way, float32 [N, C, H, W]. Any device; the network's device is used.
    /// </param>
    /// <param name="topK">How many classes each prediction lists (at most the class count).</param>
    /// <returns>One prediction per image.</returns>
    /// <exception cref="ArgumentException">The images have another element type, rank, channel count or (when known) size than the network takes, or hold NaN or infinite values.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="topK"/> is less than 1.</exception>
    /// <exception cref="InvalidOperationException">The network's output for an image is not finite (its weights are not a trained network's).</exception>
    public IReadOnlyList<Prediction> Predict(torch.Tensor images, int topK = 5)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        CheckImages(images);
        int classes = _classNames.Length, k = Math.Min(topK, classes);
        if (images.shape[0] == 0) return [];
        if (images.dtype != torch.uint8) CheckFinite(images);

        float[] probabilities;
        bool training = _model.training;
        using (var scope = torch.NewDisposeScope())
        using (torch.no_grad())
        {
            torch.Device device = _model.parameters().FirstOrDefault()?.device ?? torch.CPU;
            torch.Tensor input = images.to(device);
            input = images.dtype == torch.uint8 ? Normalization.FromBytes(input, _mean, _std) : input;
            try
            {
                _model.eval();
                probabilities = torch.nn.functional.softmax(_model.call(input), 1).to(torch.float32, torch.CPU).contiguous().data<float>().ToArray();
            }
            finally
            {
                _model.train(training);
            }
        }

        var predictions = new Prediction[images.shape[0]];
        for (int n = 0; n < predictions.Length; n++)
        {
            float[] p = probabilities.AsSpan(n * classes, classes).ToArray();
            if (!p.All(float.IsFinite))
                throw new InvalidOperationException($"The network's output for image {n} is not finite (NaN or infinity), though the image is: its weights do not hold a trained network.");
            ClassScore[] top = Enumerable.Range(0, classes)
                .OrderByDescending(c => p[c]).ThenBy(c => c)
                .Take(k)
                .Select(c => new ClassScore(c, _classNames[c], p[c]))
                .ToArray();
            predictions[n] = new Prediction(p, top);
        }

        return predictions;
    }

    /// <summary>Refuses float images holding NaN or infinity (their probabilities would all be NaN), naming the first such image.</summary>
    private static void CheckFinite(torch.Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        torch.Tensor finite = torch.isfinite(images).flatten(1).all(1).cpu();
        bool[] ok = finite.data<bool>().ToArray();
        int bad = Array.IndexOf(ok, false);
        if (bad >= 0)
            throw new ArgumentException($"Image {bad} of {ok.Length} holds NaN or infinite values ({ok.Count(f => !f)} such image(s)); normalised images must be finite.", nameof(images));
    }

    /// <summary>Throws when the network is disposed: for members outside this type (the image-file reader) to check before any work.</summary>
    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Disposes the network.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _model.Dispose();
    }

    /// <summary>Fills the defaults of the metadata and checks it against the network; returns class names, mean and std.</summary>
    private static (string[] ClassNames, float[] Mean, float[] Std) Resolve(int classes, int inputChannels, ModelMetadata metadata, string parameterName)
    {
        string[] classNames = metadata.ClassNames?.ToArray() ?? Enumerable.Range(0, classes).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        if (classNames.Length != classes)
            throw new ArgumentException($"The network has {classes} classes but {classNames.Length} class names were given.", parameterName);
        if (classNames.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException($"Class name {Array.FindIndex(classNames, string.IsNullOrWhiteSpace)} is empty.", parameterName);
        float[] mean = metadata.Mean?.ToArray() ?? new float[inputChannels];
        float[] std = metadata.Std?.ToArray() ?? Enumerable.Repeat(1f, inputChannels).ToArray();
        if (mean.Length != inputChannels || std.Length != inputChannels)
            throw new ArgumentException(
                $"The network takes {inputChannels} input channel(s) but the normalisation has {mean.Length} mean and {std.Length} std entries.", parameterName);
        for (int c = 0; c < inputChannels; c++)
        {
            if (!float.IsFinite(mean[c]) || !float.IsFinite(std[c]) || !(std[c] > 0))
                throw new ArgumentException($"Channel {c} has normalisation mean {mean[c]} and std {std[c]}; both must be finite and the std positive.", parameterName);
        }

        if (metadata.ImageHeight.HasValue != metadata.ImageWidth.HasValue || metadata.ImageHeight < 1 || metadata.ImageWidth < 1)
            throw new ArgumentException(
                $"The image size must be both positive or both unknown, not {metadata.ImageHeight?.ToString(CultureInfo.InvariantCulture) ?? "unknown"} x {metadata.ImageWidth?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}.",
                parameterName);
        if (metadata.ResizeSize is int resize && (resize < 1 || metadata.ImageHeight is not int h || metadata.ImageWidth is not int w || resize < h || resize < w))
            throw new ArgumentException(
                $"The resize size {resize} must be positive and at least the image size ({metadata.ImageHeight?.ToString(CultureInfo.InvariantCulture) ?? "unknown"} x {metadata.ImageWidth?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}), whose central window the network sees.",
                parameterName);
        if (metadata.ResizeMode is ImageResizeMode mode && !Enum.IsDefined(mode))
            throw new ArgumentException($"Unknown resize mode {(int)mode}.", parameterName);
        return (classNames, mean, std);
    }

    private void CheckImages(torch.Tensor images)
    {
        if (_network is null)
        {
            CheckModelInput(images);
            return;
        }

        if (images.dtype != torch.uint8 && images.dtype != torch.float32)
            throw new ArgumentException($"The images must be uint8 raw pixels or float32 normalised images, not {images.dtype}.", nameof(images));
        if (images.dim() != 4)
            throw new ArgumentException($"The images must be a batch [N, C, H, W]; got shape [{string.Join(", ", images.shape)}].", nameof(images));
        if (images.shape[1] != InputChannels)
            throw new ArgumentException($"The network takes {InputChannels}-channel images; got {images.shape[1]} channels (shape [{string.Join(", ", images.shape)}]).", nameof(images));
        if (ImageHeight is int h && ImageWidth is int w && (images.shape[2] != h || images.shape[3] != w))
            throw new ArgumentException($"The network was trained on {h} x {w} images; got {images.shape[2]} x {images.shape[3]}.", nameof(images));
    }
}
