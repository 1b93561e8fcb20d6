namespace IstaNas.Spaces.Nb201;

/// <summary>
/// The benchmark's protocol for training one cell alone (D-X-Y/AutoDL-Projects <c>configs/nas-benchmark/hyper-opts/200E.config</c>,
/// the same as <c>configs/nas-benchmark/CIFAR.config</c>; <c>xautodl/procedures/optimizers.py</c>;
/// <c>xautodl/datasets/get_dataset_with_transform.py</c>): the inference network of C = 16, N = 5, SGD with Nesterov
/// momentum 0.9 and weight decay 5e-4 on every parameter, learning rate 0.1 annealed by a cosine to 0, set once per epoch
/// (no warm-up), batch 256, cross-entropy, no gradient clipping, no cutout, no auxiliary head, no drop path; training
/// images get a horizontal flip and a random 32 x 32 crop of the image zero-padded by 4, then the per-channel
/// normalisation (CIFAR-10 mean 125.3, 123.0, 113.9 and std 63.0, 62.1, 66.7, of 255).
/// </summary>
public sealed record Nb201Protocol
{
    /// <summary>Training epochs (the config's <c>epochs</c>).</summary>
    public int Epochs { get; init; } = 200;

    /// <summary>Minibatch size (<c>batch_size</c>).</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Initial learning rate (<c>LR</c>).</summary>
    public double LearningRate { get; init; } = 0.1;

    /// <summary>Final learning rate of the cosine (<c>eta_min</c>).</summary>
    public double LearningRateMin { get; init; }

    /// <summary>SGD momentum (<c>momentum</c>).</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Nesterov momentum (<c>nesterov</c>).</summary>
    public bool Nesterov { get; init; } = true;

    /// <summary>Weight decay on every parameter, BN included (<c>decay</c>).</summary>
    public double WeightDecay { get; init; } = 5e-4;

    /// <summary>Gradient-norm clip (0: none, as the benchmark's training loop).</summary>
    public double GradClip { get; init; }

    /// <summary>Random crop of the image side after zero padding by <see cref="CropPadding"/>, and a horizontal flip.</summary>
    public bool Augment { get; init; } = true;

    /// <summary>Zero padding of the random crop (<c>RandomCrop(32, padding=4)</c>).</summary>
    public int CropPadding { get; init; } = 4;

    /// <summary>Initial channels C of the network.</summary>
    public int Channels { get; init; } = 16;

    /// <summary>Cells per stage N.</summary>
    public int CellsPerStage { get; init; } = 5;

    /// <summary>The CIFAR-10 channel means of the benchmark's normalisation (fractions of 255).</summary>
    public IReadOnlyList<float> Mean { get; init; } = [125.3f / 255, 123.0f / 255, 113.9f / 255];

    /// <summary>The CIFAR-10 channel standard deviations of the benchmark's normalisation (fractions of 255).</summary>
    public IReadOnlyList<float> Std { get; init; } = [63.0f / 255, 62.1f / 255, 66.7f / 255];

    /// <summary>The benchmark's 200-epoch protocol (<c>hyper-opts/200E.config</c>), whose table's optimum is 94.37 % CIFAR-10 test accuracy.</summary>
    public static Nb201Protocol Benchmark => new();

    /// <summary>NATS-Bench's 12-epoch protocol (<c>hyper-opts/12E.config</c>): the same settings with 12 epochs.</summary>
    public static Nb201Protocol TwelveEpochs => new() { Epochs = 12 };

    /// <summary>The learning rate of an epoch: <c>eta_min + (LR - eta_min)(1 + cos(pi e / E)) / 2</c>, the reference's per-epoch cosine.</summary>
    /// <param name="epoch">0-based epoch, in 0..Epochs-1.</param>
    /// <returns>The learning rate.</returns>
    public double LearningRateAt(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        if (epoch >= Epochs) return LearningRateMin;
        return LearningRateMin + ((LearningRate - LearningRateMin) * (1 + Math.Cos(Math.PI * epoch / Epochs)) / 2);
    }
}
