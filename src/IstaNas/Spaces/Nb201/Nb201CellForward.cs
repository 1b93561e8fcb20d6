using IstaNas.Evaluation.Onnx;
using static TorchSharp.torch;

namespace IstaNas.Spaces.Nb201;

/// <summary>
/// The forward pass of a NAS-Bench-201 cell: node i = sum over j &lt; i of edge <c>i&lt;-j</c>(node j); the cell returns
/// node 3. Written once for TorchSharp (<see cref="Run"/>) and once for ONNX (<see cref="WriteOnnx"/>), for the
/// inference cell and the search cell alike.
/// </summary>
internal static class Nb201CellForward
{
    public static Tensor Run(Tensor input, Func<int, nn.Module<Tensor, Tensor>> edge)
    {
        using var scope = NewDisposeScope();
        var nodes = new List<Tensor>(4) { input };
        for (int i = 1; i <= 3; i++)
        {
            Tensor? sum = null;
            for (int j = 0; j < i; j++)
            {
                Tensor term = edge(Nb201Architecture.EdgeIndex(i, j)).call(nodes[j]);
                sum = sum is null ? term : sum.add(term);
            }

            nodes.Add(sum!);
        }

        return nodes[3].MoveToOuterDisposeScope();
    }

    /// <summary>The same forward as ONNX nodes (an <c>Add</c> per extra edge of a node), named under <paramref name="cell"/>'s path.</summary>
    public static string WriteOnnx(ModuleGraphWriter writer, nn.Module cell, string input, Func<int, nn.Module<Tensor, Tensor>> edge)
    {
        string path = writer.Path(cell);
        var nodes = new List<string>(4) { input };
        for (int i = 1; i <= 3; i++)
        {
            string? sum = null;
            for (int j = 0; j < i; j++)
            {
                string term = writer.Write(edge(Nb201Architecture.EdgeIndex(i, j)), nodes[j]);
                sum = sum is null ? term : writer.Builder.Node("Add", $"{path}.node{i}.add{j}", [sum, term]);
            }

            nodes.Add(sum!);
        }

        return nodes[3];
    }
}
