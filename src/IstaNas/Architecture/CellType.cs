namespace IstaNas.Architecture;

/// <summary>The two kinds of cell of the DARTS space; each has its own architecture.</summary>
public enum CellType
{
    /// <summary>A cell that keeps the spatial size and the channel count.</summary>
    Normal = 0,

    /// <summary>A cell that halves the spatial size and doubles the channels (at depth L/3 and 2L/3).</summary>
    Reduce = 1,
}
