using static TorchSharp.torch;

namespace IstaNas.Spaces.Nb201;

/// <summary>
/// The benchmark's <c>OPS</c> for a cell edge (stride 1, C_in = C_out = C): <c>none</c> (zero), <c>skip_connect</c>
/// (identity), <c>nor_conv_1x1</c> and <c>nor_conv_3x3</c> (ReLUConvBN), <c>avg_pool_3x3</c> (3x3 stride 1 padding 1,
/// <c>count_include_pad=False</c>, no preprocessing since C_in = C_out).
/// </summary>
internal static class Nb201Operations
{
    public static nn.Module<Tensor, Tensor> Create(int operation, long channels, Nb201BatchNorm norm) => operation switch
    {
        0 => new Nb201Zero(),
        1 => nn.Identity(),
        2 => new Nb201ReLUConvBN(channels, channels, 1, 1, 0, norm),
        3 => new Nb201ReLUConvBN(channels, channels, 3, 1, 1, norm),
        4 => nn.AvgPool2d(3, stride: 1, padding: 1, count_include_pad: false),
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, $"NAS-Bench-201 has operations 0..{Nb201Architecture.Operations.Count - 1}."),
    };
}
