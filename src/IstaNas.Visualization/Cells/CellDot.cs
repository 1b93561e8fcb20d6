using System.Text;
using IstaNas.Architecture;
using IstaNas.Visualization.Drawing;

namespace IstaNas.Visualization.Cells;

/// <summary>
/// A Graphviz document of one cell, like DARTS' plot_genotype (<c>dot -Tpng normal.dot -o normal.png</c>): left to
/// right, the inputs on one rank, one edge per (operation, predecessor) pair (parallel edges kept), grey edges into
/// the output. Names as <c>Genotype.ToString()</c> writes them.
/// </summary>
internal static class CellDot
{
    public static string Render(Genotype genotype, CellType cell)
    {
        ArgumentNullException.ThrowIfNull(genotype);
        int nodes = genotype.Nodes, output = nodes + 2;
        string Id(int state) => Quote(CellLayout.StateName(state, nodes));
        var sb = new StringBuilder();
        sb.Append("digraph ").Append(Quote(cell == CellType.Normal ? "normal cell" : "reduction cell")).Append(" {\n")
          .Append("  rankdir=LR;\n")
          .Append("  node [shape=box, style=\"rounded,filled\", fontname=\"DejaVu Sans\", fontsize=14, penwidth=1.2, color=\"#444444\", height=0.45];\n")
          .Append("  edge [fontname=\"DejaVu Sans\", fontsize=12, penwidth=1.4, arrowsize=0.8];\n");
        sb.Append("  ").Append(Id(0)).Append(" [fillcolor=\"#b4eeb4\"];\n")
          .Append("  ").Append(Id(1)).Append(" [fillcolor=\"#b4eeb4\"];\n")
          .Append("  { rank=same; ").Append(Id(0)).Append("; ").Append(Id(1)).Append("; }\n");
        for (int j = 0; j < nodes; j++) sb.Append("  ").Append(Id(j + 2)).Append(" [fillcolor=\"#add8e6\"];\n");
        sb.Append("  ").Append(Id(output)).Append(" [fillcolor=\"#eee8aa\"];\n");
        IReadOnlyList<GenotypeEdge> pairs = genotype.Cell(cell);
        for (int k = 0; k < pairs.Count; k++)
        {
            string colour = Colours.Operation(pairs[k].Operation);
            sb.Append("  ").Append(Id(pairs[k].Input)).Append(" -> ").Append(Id(k / genotype.EdgesPerNode + 2))
              .Append(" [label=").Append(Quote(pairs[k].Operation)).Append(", color=\"").Append(colour).Append("\", fontcolor=\"").Append(colour).Append("\"];\n");
        }
        foreach (int state in genotype.Concat(cell))
            sb.Append("  ").Append(Id(state)).Append(" -> ").Append(Id(output)).Append(" [color=\"").Append(Colours.Concat).Append("\"];\n");
        sb.Append("}\n");
        return sb.ToString();
    }

    /// <summary>A DOT double-quoted string.</summary>
    public static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
