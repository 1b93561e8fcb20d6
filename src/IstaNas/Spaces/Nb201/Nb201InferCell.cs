using IstaNas.Evaluation.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Spaces.Nb201;

/// <summary>
/// The benchmark's <c>InferCell</c> (<c>xautodl/models/cell_infers/cells.py</c>): one operation per edge (a <c>none</c>
/// edge is built too, as a zero), node i = sum over j &lt; i of edge <c>i&lt;-j</c> applied to node j, output node 3.
/// </summary>
internal sealed class Nb201InferCell : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> layers;

    public Nb201InferCell(Nb201Architecture architecture, long channels, Nb201BatchNorm norm)
        : base("InferCell")
    {
        layers = nn.ModuleList([.. architecture.Edges.Select(op => Nb201Operations.Create(op, channels, norm))]);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => Nb201CellForward.Run(input, e => layers[e]);

    /// <summary>ONNX: node i is the sum of its edges' operations on the earlier nodes, as <see cref="Nb201CellForward"/>.</summary>
    string IOnnxExportable.WriteOnnx(ModuleGraphWriter writer, string input) => Nb201CellForward.WriteOnnx(writer, this, input, e => layers[e]);
}
