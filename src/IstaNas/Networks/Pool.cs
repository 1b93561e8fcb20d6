using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Networks;

/// <summary>The kind of pooling of a <see cref="Pool"/> operation.</summary>
internal enum PoolKind
{
    /// <summary>3 x 3 max pooling, padding 1.</summary>
    Max = 0,

    /// <summary>3 x 3 average pooling, padding 1, padding excluded from the average (count_include_pad = false).</summary>
    Average = 1,
}

/// <summary>3 x 3 pooling with padding 1, optionally followed by a BN (DARTS pooling candidates; <c>PoolBN</c> in the one-stage form).</summary>
internal sealed class Pool : Operation
{
    private readonly nn.Module<Tensor, Tensor> pool;
    private readonly BatchNorm2d? bn;

    /// <summary>Creates the pooling operation.</summary>
    /// <param name="kind">Max or average pooling.</param>
    /// <param name="channels">Channels of the appended BN (ignored without BN).</param>
    /// <param name="stride">Pooling stride (1 or 2).</param>
    /// <param name="affine">Whether the appended BN has learnable scale and shift.</param>
    /// <param name="appendBatchNorm">Whether to append a BN.</param>
    public Pool(PoolKind kind, long channels, long stride, bool affine, bool appendBatchNorm) : base(nameof(Pool))
    {
        Kind = kind;
        pool = kind switch
        {
            PoolKind.Max => nn.MaxPool2d(3, stride: stride, padding: 1),
            PoolKind.Average => nn.AvgPool2d(3, stride: stride, padding: 1, count_include_pad: false),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown pooling kind."),
        };
        bn = appendBatchNorm ? nn.BatchNorm2d(channels, affine: affine) : null;
        RegisterComponents();
    }

    /// <summary>Max or average pooling.</summary>
    public PoolKind Kind { get; }

    /// <inheritdoc />
    public override BatchNorm2d? OutputBatchNorm => bn;

    /// <summary>The pooling module (<see cref="MaxPool2d"/> or <see cref="AvgPool2d"/>), for the ONNX exporter.</summary>
    internal nn.Module<Tensor, Tensor> Pooling => pool;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var pooled = pool.forward(input);
        return bn is null ? pooled : BatchNorms.Forward(bn, pooled);
    }
}
