using IstaNas.Architecture;

namespace IstaNas.Tests.Visualization;

/// <summary>Genotypes the cell pictures must draw well: the built-in ones, the awkward shapes, and random ones.</summary>
internal static class CellCases
{
    private static GenotypeEdge E(string op, int input) => new(op, input);

    /// <summary>Two different operations from one predecessor into one node (c_{k-1} → n0 and n1 → n2), as DARTS allows.</summary>
    public static Genotype Parallel { get; } = new(
        [E(Operations.SkipConnect, 1), E(Operations.SepConv3x3, 1), E(Operations.MaxPool3x3, 0), E(Operations.AvgPool3x3, 1),
         E(Operations.MaxPool3x3, 3), E(Operations.SepConv5x5, 3), E(Operations.DilConv3x3, 0), E(Operations.SepConv5x5, 4)],
        [E(Operations.MaxPool3x3, 0), E(Operations.MaxPool3x3, 0), E(Operations.SkipConnect, 2), E(Operations.SkipConnect, 2),
         E(Operations.SepConv3x3, 3), E(Operations.SepConv3x3, 3), E(Operations.DilConv5x5, 4), E(Operations.DilConv5x5, 4)]);

    /// <summary>Every pair from c_{k-1}: eight edges leaving one input, the case whose labels used to pile up.</summary>
    public static Genotype OneInput { get; } = new(
        Operations.Default.Take(4).SelectMany(op => new[] { E(op, 1), E(Operations.SepConv3x3, 1) }),
        Operations.Default.Skip(3).Take(4).SelectMany(op => new[] { E(op, 1), E(Operations.DilConv5x5, 1) }));

    /// <summary>Each node fed by the one before and by c_{k-2}: the widest cell (four columns of nodes).</summary>
    public static Genotype Chain { get; } = new(
        Enumerable.Range(0, 4).SelectMany(j => new[] { E(Operations.SepConv3x3, j + 1), E(Operations.SkipConnect, 0) }),
        Enumerable.Range(0, 4).SelectMany(j => new[] { E(Operations.MaxPool3x3, j + 1), E(Operations.DilConv3x3, 0) }));

    /// <summary>Every node fed by the inputs only: the narrowest cell (one column of nodes).</summary>
    public static Genotype Flat { get; } = new(
        Enumerable.Range(0, 4).SelectMany(j => new[] { E(Operations.SepConv3x3, 0), E(Operations.SkipConnect, 1) }),
        Enumerable.Range(0, 4).SelectMany(j => new[] { E(Operations.MaxPool3x3, 1), E(Operations.DilConv3x3, 0) }));

    /// <summary>Three pairs per node and five nodes, to check nothing assumes the DARTS shape.</summary>
    public static Genotype Wide { get; } = new(
        Enumerable.Range(0, 5).SelectMany(j => new[] { E(Operations.SepConv3x3, j + 1), E(Operations.SkipConnect, 0), E(Operations.AvgPool3x3, j + 1) }),
        Enumerable.Range(0, 5).SelectMany(j => new[] { E(Operations.MaxPool3x3, 1), E(Operations.DilConv3x3, 0), E(Operations.SepConv5x5, j / 2) }),
        edgesPerNode: 3);

    /// <summary>A random DARTS-shaped genotype (4 nodes, 2 pairs each, any predecessors, repeats allowed).</summary>
    public static Genotype Random(int seed)
    {
        var random = new Random(seed);
        IEnumerable<GenotypeEdge> Cell() => Enumerable.Range(0, 4).SelectMany(j => Enumerable.Range(0, 2)
            .Select(_ => E(Operations.Default[random.Next(Operations.Default.Count)], random.Next(j + 2)))).ToArray();
        return new Genotype(Cell(), Cell());
    }

    /// <summary>(name, genotype) for every case above plus 30 random genotypes.</summary>
    public static IEnumerable<(string Name, Genotype Genotype)> All()
    {
        foreach (string name in Genotype.KnownNames) yield return (name, Genotype.Known(name));
        yield return ("parallel", Parallel);
        yield return ("one-input", OneInput);
        yield return ("chain", Chain);
        yield return ("flat", Flat);
        yield return ("wide", Wide);
        for (int seed = 0; seed < 30; seed++) yield return ($"random-{seed}", Random(seed));
    }

    /// <summary>xUnit data: every case, both cells.</summary>
    public static TheoryData<string, CellType> Data()
    {
        var data = new TheoryData<string, CellType>();
        foreach ((string name, _) in All())
        {
            data.Add(name, CellType.Normal);
            data.Add(name, CellType.Reduce);
        }
        return data;
    }

    public static Genotype Get(string name) => All().First(c => c.Name == name).Genotype;
}
