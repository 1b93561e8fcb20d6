namespace IstaNas.Networks;

/// <summary>
/// The DARTS cell stack shared by the search and the evaluation network: channels tripled in the stem, reduction cells
/// at L/3 and 2L/3 doubling them, each cell reading the outputs of the two before it.
/// </summary>
internal static class CellStack
{
    /// <summary>What a cell is built from.</summary>
    /// <param name="PrevPrevChannels">Channels of the cell's first input (c_{k-2}).</param>
    /// <param name="PrevChannels">Channels of the cell's second input (c_{k-1}).</param>
    /// <param name="Channels">Channels of each of its nodes.</param>
    /// <param name="Reduction">Whether it is a reduction cell.</param>
    /// <param name="ReductionPrevious">Whether the cell before it was one (then c_{k-2} needs a FactorizedReduce).</param>
    public readonly record struct Slot(int PrevPrevChannels, int PrevChannels, int Channels, bool Reduction, bool ReductionPrevious);

    /// <summary>
    /// Builds <paramref name="layers"/> cells after a stem of <paramref name="stemChannels"/> channels; returns them with
    /// the channels after cell 2L/3 (what the auxiliary head reads) and after the last cell (what the classifier reads).
    /// With <paramref name="stemHalves"/> (the ImageNet stem, whose first output has twice the side of its second), the
    /// first cell treats its first input as the output of a reduction.
    /// </summary>
    public static (TCell[] Cells, int AuxiliaryChannels, int OutputChannels) Build<TCell>(
        int layers, int stemChannels, int channels, Func<Slot, TCell> create, Func<TCell, int> outputChannels, bool stemHalves = false)
    {
        int prevPrev = stemChannels, prev = stemChannels, current = channels, auxiliaryChannels = 0;
        bool reductionPrevious = stemHalves;
        var cells = new TCell[layers];
        for (int i = 0; i < layers; i++)
        {
            bool reduction = NetworkValidation.IsReduction(i, layers);
            if (reduction) current *= 2;
            cells[i] = create(new Slot(prevPrev, prev, current, reduction, reductionPrevious));
            reductionPrevious = reduction;
            prevPrev = prev;
            prev = outputChannels(cells[i]);
            if (i == AuxiliaryPosition(layers)) auxiliaryChannels = prev;
        }
        return (cells, auxiliaryChannels, prev);
    }

    /// <summary>Index of the cell after which the auxiliary head reads (2L/3).</summary>
    public static int AuxiliaryPosition(int layers) => 2 * layers / 3;
}
