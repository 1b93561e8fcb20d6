namespace IstaNas.Spaces.Macro;

/// <summary>One searchable layer of NAS-Bench-Macro: its channels in and out and its stride.</summary>
/// <param name="Index">0..7, the position in the architecture string.</param>
/// <param name="InChannels">Input channels.</param>
/// <param name="OutChannels">Output channels.</param>
/// <param name="Stride">2 for the first layer of a stage (which doubles the channels), else 1.</param>
internal sealed record MacroLayer(int Index, int InChannels, int OutChannels, int Stride)
{
    /// <summary>
    /// The layers of model.py's <c>Network</c> with <c>stages = [2, 3, 3]</c> and <c>init_channels = 32</c>: the first
    /// layer of each stage has stride 2 and doubles the channels (32 to 64, 64 to 128, 128 to 256).
    /// </summary>
    public static IReadOnlyList<MacroLayer> All { get; } = Build();

    /// <summary>Whether the benchmark's Identity is a 1x1 convolution and BN here (model.py's <c>downsample</c>).</summary>
    public bool Downsamples => Stride != 1 || InChannels != OutChannels;

    private static MacroLayer[] Build()
    {
        var layers = new List<MacroLayer>();
        int channels = MacroSpace.StemChannels;
        foreach (int stage in MacroSpace.Stages)
        {
            for (int i = 0; i < stage; i++)
            {
                int output = i == 0 ? channels * 2 : channels;
                layers.Add(new MacroLayer(layers.Count, channels, output, i == 0 ? 2 : 1));
                channels = output;
            }
        }

        return [.. layers];
    }
}
