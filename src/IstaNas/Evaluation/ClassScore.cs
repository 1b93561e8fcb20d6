namespace IstaNas.Evaluation;

/// <summary>One class of a <see cref="Prediction"/>: its label index, its name and its probability.</summary>
public sealed record ClassScore
{
    internal ClassScore(int index, string name, float probability)
    {
        Index = index;
        Name = name;
        Probability = probability;
    }

    /// <summary>The class index (the label).</summary>
    public int Index { get; }

    /// <summary>The class name (<see cref="TrainedNetwork.ClassNames"/>).</summary>
    public string Name { get; }

    /// <summary>The softmax probability, in [0, 1].</summary>
    public float Probability { get; }

    /// <inheritdoc />
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Name} ({Index}): {Probability:P2}");
}
