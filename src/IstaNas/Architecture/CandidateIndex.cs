namespace IstaNas.Architecture;

/// <summary>
/// The one home of the candidate encoding of the DARTS cell space: intermediate node <c>i</c> reads from its
/// <c>i + 2</c> predecessors through any of <c>K</c> operations, and candidate <c>c = predecessor * K + operation</c>.
/// </summary>
internal static class CandidateIndex
{
    /// <summary>Candidates of node <paramref name="node"/>: <c>(node + 2) * K</c>.</summary>
    public static int Count(int node, int operations) => (node + 2) * operations;

    /// <summary>The candidate of (predecessor, operation).</summary>
    public static int Of(int predecessor, int operation, int operations) => (predecessor * operations) + operation;

    /// <summary>The predecessor a candidate reads: <c>c / K</c>.</summary>
    public static int Predecessor(int candidate, int operations) => candidate / operations;

    /// <summary>The operation of a candidate: <c>c % K</c>.</summary>
    public static int Operation(int candidate, int operations) => candidate % operations;
}
