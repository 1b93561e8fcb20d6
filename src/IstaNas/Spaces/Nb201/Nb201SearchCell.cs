using IstaNas.Choices;
using IstaNas.Evaluation.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Spaces.Nb201;

/// <summary>
/// The benchmark's <c>NAS201SearchCell</c> (<c>xautodl/models/cell_searchs/search_cells.py</c>) on choices: each of the
/// 6 edges is a <see cref="Choice"/> named by its edge (<c>"1&lt;-0"</c> ... <c>"3&lt;-2"</c>) over the 5 operations, 1
/// pick. Every search cell of a network names its choices alike: choices of one name are ONE decision shared by all
/// cells (the benchmark's search models hold one <c>arch_parameters</c> of 6 x 5 for all cells), so a search sets the
/// same candidates and weights on every choice of a name, and an architecture fixes them all alike.
/// </summary>
internal sealed class Nb201SearchCell : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    private readonly ModuleList<Choice> edges;

    public Nb201SearchCell(long channels, Nb201BatchNorm norm)
        : base("NAS201SearchCell")
    {
        var choices = new List<Choice>(Nb201Architecture.EdgeNames.Count);
        foreach (string edge in Nb201Architecture.EdgeNames)
        {
            var candidates = Enumerable.Range(0, Nb201Architecture.Operations.Count).Select(op => Nb201Operations.Create(op, channels, norm)).ToArray();
            choices.Add(Choice.Of(edge, 1, candidates).WithLabels([.. Nb201Architecture.Operations]).Shared());
        }

        edges = nn.ModuleList([.. choices]);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => Nb201CellForward.Run(input, e => edges[e]);

    /// <summary>ONNX of a fixed search cell (a one-stage result): node i = sum of its fixed edge choices, as the inference cell.</summary>
    string IOnnxExportable.WriteOnnx(ModuleGraphWriter writer, string input) => Nb201CellForward.WriteOnnx(writer, this, input, e => edges[e]);
}
