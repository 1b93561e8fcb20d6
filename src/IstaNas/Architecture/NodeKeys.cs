namespace IstaNas.Architecture;

/// <summary>Keys of per-node report entries: "normal/0" .. "reduce/3".</summary>
internal static class NodeKeys
{
    /// <summary>The key of one node.</summary>
    public static string Of(CellType cell, int node) => $"{(cell == CellType.Normal ? "normal" : "reduce")}/{node}";
}
