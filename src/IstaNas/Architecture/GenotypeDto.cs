using System.Text.Json;
using System.Text.Json.Serialization;

namespace IstaNas.Architecture;

/// <summary>JSON shape of a <see cref="Genotype"/>.</summary>
internal sealed class GenotypeDto
{
    internal static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public List<EdgeDto>? Normal { get; set; }

    public List<int>? NormalConcat { get; set; }

    public List<EdgeDto>? Reduce { get; set; }

    public List<int>? ReduceConcat { get; set; }

    public int? EdgesPerNode { get; set; }

    public static GenotypeDto From(Genotype g) => new()
    {
        Normal = g.Normal.Select(e => new EdgeDto { Op = e.Operation, Input = e.Input }).ToList(),
        NormalConcat = g.NormalConcat.ToList(),
        Reduce = g.Reduce.Select(e => new EdgeDto { Op = e.Operation, Input = e.Input }).ToList(),
        ReduceConcat = g.ReduceConcat.ToList(),
        EdgesPerNode = g.EdgesPerNode,
    };

    public Genotype ToGenotype() => new(
        Normal!.Select(ToEdge), Reduce!.Select(ToEdge), NormalConcat, ReduceConcat, EdgesPerNode ?? 2);

    private static GenotypeEdge ToEdge(EdgeDto e, int i) =>
        e.Op is null || e.Input is null
            ? throw new ArgumentException($"Pair {i} needs both \"op\" and \"input\".")
            : new GenotypeEdge(e.Op, e.Input.Value);

    internal sealed class EdgeDto
    {
        public string? Op { get; set; }

        public int? Input { get; set; }
    }
}
