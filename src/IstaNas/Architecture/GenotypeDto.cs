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

    public List<EdgeDto?>? Normal { get; set; }

    public List<int>? NormalConcat { get; set; }

    public List<EdgeDto?>? Reduce { get; set; }

    public List<int>? ReduceConcat { get; set; }

    public int? EdgesPerNode { get; set; }

    public static GenotypeDto From(Genotype g) => new()
    {
        Normal = g.Normal.Select(e => (EdgeDto?)new EdgeDto { Op = e.Operation, Input = e.Input }).ToList(),
        NormalConcat = g.NormalConcat.ToList(),
        Reduce = g.Reduce.Select(e => (EdgeDto?)new EdgeDto { Op = e.Operation, Input = e.Input }).ToList(),
        ReduceConcat = g.ReduceConcat.ToList(),
        EdgesPerNode = g.EdgesPerNode,
    };

    public Genotype ToGenotype() => new(
        Normal!.Select((e, i) => ToEdge(e, i, "normal")), Reduce!.Select((e, i) => ToEdge(e, i, "reduce")), NormalConcat, ReduceConcat, EdgesPerNode ?? 2);

    private static GenotypeEdge ToEdge(EdgeDto? e, int i, string cell) =>
        e?.Op is null || e.Input is null
            ? throw new ArgumentException(e is null ? $"Pair {i} of \"{cell}\" is null; it needs \"op\" and \"input\"." : $"Pair {i} of \"{cell}\" needs both \"op\" and \"input\".")
            : new GenotypeEdge(e.Op, e.Input.Value);

    internal sealed class EdgeDto
    {
        public string? Op { get; set; }

        public int? Input { get; set; }
    }
}
