using IstaNas.Networks;
using static IstaNas.Architecture.Operations;

namespace IstaNas.Tests.Networks;

/// <summary>Genotypes as (operation, predecessor) pairs, two per node: DARTS V2 and the ISTA-NAS ones the authors published (Genotype.Known).</summary>
internal static class KnownTopologies
{
    public static readonly (CellTopology Normal, CellTopology Reduce) DartsV2 = (
        CellTopology.FromEdges([
            (SepConv3x3, 0), (SepConv3x3, 1), (SepConv3x3, 0), (SepConv3x3, 1),
            (SepConv3x3, 1), (SkipConnect, 0), (SkipConnect, 0), (DilConv3x3, 2)]),
        CellTopology.FromEdges([
            (MaxPool3x3, 0), (MaxPool3x3, 1), (SkipConnect, 2), (MaxPool3x3, 1),
            (MaxPool3x3, 0), (SkipConnect, 2), (SkipConnect, 2), (MaxPool3x3, 1)]));

    public static readonly (CellTopology Normal, CellTopology Reduce) IstaTwoStage = (
        CellTopology.FromEdges([
            (SkipConnect, 0), (DilConv3x3, 1), (SepConv5x5, 0), (DilConv3x3, 2),
            (DilConv3x3, 1), (SepConv3x3, 0), (SepConv3x3, 2), (SkipConnect, 0)]),
        CellTopology.FromEdges([
            (AvgPool3x3, 0), (SepConv5x5, 1), (DilConv5x5, 2), (MaxPool3x3, 1),
            (DilConv5x5, 3), (SepConv3x3, 1), (DilConv5x5, 4), (SepConv5x5, 1)]));

    public static readonly (CellTopology Normal, CellTopology Reduce) IstaOneStage = (
        CellTopology.FromEdges([
            (SkipConnect, 0), (DilConv3x3, 1), (SepConv3x3, 1), (DilConv5x5, 2),
            (AvgPool3x3, 3), (SepConv3x3, 1), (SepConv5x5, 1), (SepConv3x3, 2)]),
        CellTopology.FromEdges([
            (AvgPool3x3, 0), (MaxPool3x3, 1), (SkipConnect, 0), (MaxPool3x3, 1),
            (SepConv5x5, 1), (AvgPool3x3, 0), (MaxPool3x3, 0), (DilConv5x5, 2)]));

    public static readonly (CellTopology Normal, CellTopology Reduce) IstaImageNet = (
        CellTopology.FromEdges([
            (SepConv3x3, 1), (SepConv3x3, 0), (SepConv3x3, 1), (SkipConnect, 2),
            (SepConv3x3, 1), (SepConv3x3, 0), (SepConv3x3, 1), (DilConv5x5, 4)]),
        CellTopology.FromEdges([
            (SkipConnect, 0), (SepConv3x3, 1), (DilConv5x5, 2), (SepConv3x3, 0),
            (SepConv3x3, 0), (SkipConnect, 2), (SepConv3x3, 2), (SkipConnect, 3)]));

    public static (CellTopology Normal, CellTopology Reduce) ByName(string name) => name switch
    {
        "darts_v2" => DartsV2,
        "ista_two_stage" => IstaTwoStage,
        "ista_one_stage" => IstaOneStage,
        "ista_imagenet" => IstaImageNet,
        _ => throw new ArgumentException(name, nameof(name)),
    };
}
