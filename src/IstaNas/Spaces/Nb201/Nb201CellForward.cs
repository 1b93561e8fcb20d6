using static TorchSharp.torch;

namespace IstaNas.Spaces.Nb201;

/// <summary>The forward pass of a NAS-Bench-201 cell: node i = sum over j &lt; i of edge <c>i&lt;-j</c>(node j); the cell returns node 3.</summary>
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
}
