namespace IstaNas.Data;

/// <summary>
/// A view of another data set: a list of its image indices (or all of them) with its own name and normalisation
/// statistics. Views of views point at the innermost data set, so reads never go through a chain.
/// </summary>
internal sealed class ImageDatasetView : ImageDataset
{
    private readonly ImageDataset _source;
    private readonly int[]? _map;

    private ImageDatasetView(ImageDataset source, int[]? map, int[] labels, string name, IReadOnlyList<float> mean, IReadOnlyList<float> std)
        : base(name, labels, source.Channels, source.Height, source.Width, source.ClassCount, mean, std, source.ClassNames)
    {
        _source = source;
        _map = map;
    }

    public override bool DecodesOnDemand => _source.DecodesOnDemand;

    /// <summary>A view of <paramref name="source"/> at <paramref name="map"/> (null: every image, same order).</summary>
    public static ImageDatasetView Create(ImageDataset source, int[]? map, string name, IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        if (source is ImageDatasetView view)
        {
            if (map is null)
            {
                map = view._map;
            }
            else if (view._map is not null)
            {
                for (int i = 0; i < map.Length; i++)
                {
                    map[i] = view._map[map[i]];
                }
            }

            source = view._source;
        }

        int[] labels = map is null
            ? source.Labels.ToArray()
            : Array.ConvertAll(map, source.LabelAt);
        return new ImageDatasetView(source, map, labels, name, mean, std);
    }

    public override string? GetSource(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        return _source.GetSource(_map is null ? index : _map[index]);
    }

    public override ReadOnlySpan<byte> GetImage(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        return _source.GetImage(_map is null ? index : _map[index]);
    }

    protected override void ReadImage(int index, Span<byte> destination) =>
        _source.ReadImageUnchecked(_map is null ? index : _map[index], destination);
}
