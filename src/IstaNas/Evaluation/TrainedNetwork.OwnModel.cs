using System.Globalization;
using System.Text.Json;
using IstaNas.Checkpoints;
using IstaNas.Evaluation.Onnx;
using TorchSharp;

namespace IstaNas.Evaluation;

/// <summary>A trained model of your own (any fixed <c>nn.Module&lt;Tensor, Tensor&gt;</c>): saved, loaded with its factory, exported, used to predict.</summary>
public sealed partial class TrainedNetwork
{
    /// <summary>
    /// Wraps a trained model of your own (for example one whose <c>Choice</c> modules were fixed) with what predicting
    /// needs. <paramref name="metadata"/> must give <see cref="ModelMetadata.InputShape"/>, the shape of one input sample;
    /// the model is run once on a sample of zeros to check that it gives one score per class.
    /// </summary>
    /// <param name="model">The model; the instance takes it over and disposes it.</param>
    /// <param name="metadata">Input shape, class names (their count is the model's class count) and, for images, normalisation and size.</param>
    /// <exception cref="ArgumentException">The metadata has no input shape, or does not fit the model (the message says which).</exception>
    public TrainedNetwork(torch.nn.Module<torch.Tensor, torch.Tensor> model, ModelMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.InputShape is not { Count: > 0 } shape || shape.Any(d => d < 1))
            throw new ArgumentException(
                $"A model of your own needs ModelMetadata.InputShape, the shape of one input sample (such as [1, 128]); got {(metadata.InputShape is null ? "none" : $"[{string.Join(", ", metadata.InputShape)}]")}.",
                nameof(metadata));
        torch.Device device = model.parameters().FirstOrDefault()?.device ?? torch.CPU;
        int classes = metadata.ClassNames?.Count ?? FixedModel.Classes(model, shape, device);
        FixedModel.CheckOutput(model, shape, classes, device);
        (_classNames, _mean, _std) = Resolve(classes, shape[0], metadata, nameof(metadata));
        _model = model;
        _inputShape = [.. shape];
        ImageHeight = metadata.ImageHeight;
        ImageWidth = metadata.ImageWidth;
        _resizeMode = metadata.ResizeMode;
        _resizeSize = metadata.ResizeSize;
        _annotations = metadata.Annotations;
    }

    /// <summary>The trained model: the genotype's <see cref="Network"/>, or the model of your own.</summary>
    public torch.nn.Module<torch.Tensor, torch.Tensor> Model => _model;

    /// <summary>The shape of one input sample of a model of your own (such as [C, T]); null for a genotype's network (images of any size).</summary>
    public IReadOnlyList<int>? InputShape => _inputShape;

    /// <summary>
    /// Loads a model of your own saved by <see cref="Save"/> or <see cref="EvaluationResult.Save"/>: <paramref name="model"/>
    /// builds the same model, either with its choices open (the search space: they are fixed to the saved picks) or fixed
    /// to the saved picks; its weights are then read from the file.
    /// </summary>
    /// <param name="path">The <c>model.ckpt</c>.</param>
    /// <param name="model">Builds the model that was trained, for example <c>() =&gt; new MyNet()</c>.</param>
    /// <returns>The model with its metadata; dispose it.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CheckpointException">
    /// The file is not a saved model of your own, or the model from the factory does not fit it (the message names the first
    /// parameter or buffer that differs).
    /// </exception>
    public static TrainedNetwork Load(string path, Func<torch.nn.Module<torch.Tensor, torch.Tensor>> model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Checkpoint checkpoint = Open(path);
        if (!checkpoint.Metadata.TryGetValue(FixedModel.TypeValue, out string? type))
            throw new CheckpointException(path, "it holds a genotype's evaluation network, not a model of your own; load it with TrainedNetwork.Load(path).");
        Dictionary<string, string>? layout;
        Dictionary<string, int[]>? choices;
        Dictionary<string, float[]>? scales = null;
        ModelMetadata? metadata;
        try
        {
            checkpoint.Metadata.TryGetValue(FixedModel.LayoutValue, out layout);
            checkpoint.Metadata.TryGetValue(FixedModel.ChoicesValue, out choices);
            if (checkpoint.Metadata.TryGetValue(FixedModel.ScalesValue, out Dictionary<string, float[]>? saved)) scales = saved;
            checkpoint.Metadata.TryGetValue(DataValue, out metadata);
        }
        catch (JsonException ex)
        {
            throw new CheckpointException(path, $"the model's layout or metadata is unreadable: {ex.Message}", ex);
        }

        if (layout is null || choices is null || metadata is null)
            throw new CheckpointException(path, "it does not record the model's layout, choices and metadata.");
        torch.nn.Module<torch.Tensor, torch.Tensor> built = model() ?? throw new InvalidOperationException("The model factory returned null.");
        try
        {
            FixedModel.EnsureFits(path, layout, built, type);
            FixedModel.ApplyChoices(path, choices, built, scales);
            checkpoint.EnsureFingerprint(FixedModel.Fingerprint(CheckpointFingerprint.Empty, built));
            checkpoint.LoadModule(built);
            return new TrainedNetwork(built, metadata);
        }
        catch (ArgumentException ex)
        {
            built.Dispose();
            throw new CheckpointException(path, $"the metadata does not fit the model: {ex.Message}", ex);
        }
        catch
        {
            built.Dispose();
            throw;
        }
    }

    /// <summary>Saves a model of your own: its type name, state layout, metadata and weights.</summary>
    internal static void WriteModel(string path, torch.nn.Module<torch.Tensor, torch.Tensor> model, ModelMetadata? metadata)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (metadata?.InputShape is not { Count: > 0 } shape)
            throw new ArgumentException("A model of your own is saved with ModelMetadata.InputShape, the shape of one input sample.", nameof(metadata));
        torch.Device device = model.parameters().FirstOrDefault()?.device ?? torch.CPU;
        int classes = metadata.ClassNames?.Count ?? FixedModel.Classes(model, shape, device);
        var (classNames, mean, std) = Resolve(classes, shape[0], metadata, nameof(metadata));
        var writer = new CheckpointWriter(Kind, FixedModel.Fingerprint(CheckpointFingerprint.Empty, model));
        if (metadata.Annotations is { Count: > 0 } annotations) writer.SetValue(CheckpointInfo.AnnotationsValue, annotations); // CheckpointInfo.Read shows them
        if (FixedModel.FixedScales(model) is { Count: > 0 } scales) writer.SetValue(FixedModel.ScalesValue, scales); // a one-stage result's alpha kept as a scale
        writer.SetValue(FixedModel.TypeValue, model.GetType().FullName ?? model.GetType().Name)
            .SetValue(FixedModel.LayoutValue, FixedModel.Layout(model))
            .SetValue(FixedModel.ChoicesValue, FixedModel.FixedChoices(model))
            .SetValue(DataValue, metadata with { ClassNames = classNames, Mean = mean, Std = std })
            .AddModule(model)
            .Save(path);
    }

    private void ExportModelOnnx(string path)
    {
        int[] shape = _inputShape!;
        bool images = ImageHeight is not null;
        string input = images
            ? $"float32 [batch, {string.Join(", ", shape)}]: pixel values divided by 255, then per channel c (x - mean[c]) / std[c] with mean {JsonSerializer.Serialize(_mean)} and std {JsonSerializer.Serialize(_std)}."
            : $"float32 [batch, {string.Join(", ", shape)}]: the samples as the model was trained on them (no normalisation).";
        var metadata = new List<KeyValuePair<string, string>>
        {
            new("class_names", JsonSerializer.Serialize(_classNames)),
            new("input_shape", JsonSerializer.Serialize(shape)),
            new("model", _model.GetType().Name),
        };
        if (images)
        {
            metadata.Add(new("mean", JsonSerializer.Serialize(_mean)));
            metadata.Add(new("std", JsonSerializer.Serialize(_std)));
            metadata.Add(new("normalization", "(pixel / 255 - mean[c]) / std[c]"));
        }

        ModuleOnnxExporter.Export(_model, shape, path, new OnnxExportSettings
        {
            InputDocString = input,
            DocString = $"IstaNas fixed model {_model.GetType().Name} ({_classNames.Length.ToString(CultureInfo.InvariantCulture)} classes). Input '{ModuleOnnxExporter.InputName}': {input} " +
                        "Output 'logits': float32 [batch, classes], unnormalised scores (softmax gives probabilities); class names in metadata 'class_names'.",
            Metadata = metadata,
        });
    }

    private void CheckModelInput(torch.Tensor input)
    {
        int[] shape = _inputShape!;
        string expected = $"[N, {string.Join(", ", shape)}]";
        if (input.dtype == torch.uint8 && ImageHeight is null)
            throw new ArgumentException($"The model was trained on tensors, not images: give float32 samples {expected}, not uint8 pixels.", nameof(input));
        if (input.dtype != torch.uint8 && input.dtype != torch.float32)
            throw new ArgumentException($"The samples must be float32 (or uint8 pixels for a model trained on images), not {input.dtype}.", nameof(input));
        if (input.dim() != shape.Length + 1 || !input.shape.Skip(1).SequenceEqual(shape.Select(d => (long)d)))
            throw new ArgumentException($"The model takes samples {expected}; got shape [{string.Join(", ", input.shape)}].", nameof(input));
    }
}
