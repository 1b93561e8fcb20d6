namespace IstaNas.Visualization.Cells;

/// <summary>What <see cref="CellLayout"/> places in one column: a box, an operation label, or a lane an edge passes on.</summary>
internal sealed class LayoutItem
{
    /// <summary>The column (inputs 0, then label and node columns alternating).</summary>
    public int Column { get; init; }

    /// <summary>The state of a box; -1 for an edge's item.</summary>
    public int State { get; init; } = -1;

    /// <summary>The edge of a label or lane; -1 for a box.</summary>
    public int Edge { get; init; } = -1;

    /// <summary>The box name or label text; null for a lane.</summary>
    public string? Text { get; init; }

    /// <summary>Width (0 for a lane).</summary>
    public double Width { get; init; }

    /// <summary>Height.</summary>
    public double Height { get; init; }

    /// <summary>Vertical centre, before the layout moves everything below the caption.</summary>
    public double Y { get; set; }

    /// <summary>Position in the column, top first.</summary>
    public int Order { get; set; }

    /// <summary>The items in the column before that this one connects to.</summary>
    public List<LayoutItem> Previous { get; } = [];

    /// <summary>The items in the column after that this one connects to.</summary>
    public List<LayoutItem> Next { get; } = [];
}
