namespace IstaNas.Evaluation;

/// <summary>What <see cref="TrainedNetwork.Predict"/> says about one image.</summary>
public sealed record Prediction
{
    internal Prediction(float[] probabilities, ClassScore[] top)
    {
        Probabilities = probabilities;
        Top = top;
    }

    /// <summary>The softmax probability of every class, in label order (they sum to 1).</summary>
    public IReadOnlyList<float> Probabilities { get; }

    /// <summary>The most probable classes, most probable first (ties: lower index first).</summary>
    public IReadOnlyList<ClassScore> Top { get; }

    /// <summary>The most probable class (<c>Top[0]</c>).</summary>
    public ClassScore Best => Top[0];
}
