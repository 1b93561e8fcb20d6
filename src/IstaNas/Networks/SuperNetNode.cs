using IstaNas.Architecture;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Networks;

/// <summary>
/// One intermediate node of a search cell. It holds one operation per candidate (predecessor, operation) pair, in
/// candidate order (candidate <c>c</c> = predecessor <c>c / K</c>, operation <c>c % K</c>), and sums
/// <c>alpha_j * op_j(state)</c> over the listed candidates only. Unlisted candidates do not run. No softmax.
/// </summary>
internal sealed class SuperNetNode : nn.Module
{
    private readonly ModuleList<Operation> ops;
    private readonly int _operationCount;

    /// <summary>Creates the node.</summary>
    /// <param name="index">0-based index of the intermediate node; it reads from <c>index + 2</c> predecessors.</param>
    /// <param name="operations">The candidate operation names (K of them).</param>
    /// <param name="channels">Channels of the cell.</param>
    /// <param name="reduction">Whether the node belongs to a reduction cell (stride 2 on edges from the two cell inputs).</param>
    /// <param name="affine">Whether the BNs of the operations are affine.</param>
    /// <param name="appended">Which parameter-free operations get a BN appended.</param>
    public SuperNetNode(int index, IReadOnlyList<string> operations, int channels, bool reduction, bool affine, AppendedBatchNorm appended)
        : base(nameof(SuperNetNode))
    {
        ArgumentNullException.ThrowIfNull(operations);
        Index = index;
        _operationCount = operations.Count;
        var list = new List<Operation>(CandidateIndex.Count(index, operations.Count));
        for (int predecessor = 0; predecessor < index + 2; predecessor++)
        {
            int stride = reduction && predecessor < 2 ? 2 : 1;
            foreach (var name in operations)
            {
                list.Add(OperationFactory.Create(name, channels, stride, affine, appended));
            }
        }

        ops = nn.ModuleList(list.ToArray());
        RegisterComponents();
    }

    /// <summary>0-based index of the intermediate node.</summary>
    public int Index { get; }

    /// <summary>Number of candidates, <c>(Index + 2) * K</c>.</summary>
    public int CandidateCount => ops.Count;

    /// <summary>The operation of candidate <paramref name="candidate"/>.</summary>
    /// <param name="candidate">Candidate index in <c>[0, CandidateCount)</c>.</param>
    /// <returns>The operation module.</returns>
    public Operation Candidate(int candidate) => ops[candidate];

    /// <summary>All candidate operations, in candidate order.</summary>
    public IReadOnlyList<Operation> Candidates => [.. ops];

    /// <summary>
    /// Computes the node: <c>sum_j Weights[j] * op_{Candidates[j]}(states[Candidates[j] / K])</c>, with drop path on
    /// every operation but the bare identity when training and <paramref name="dropPathProbability"/> &gt; 0. An empty candidate list
    /// gives zeros of <paramref name="outputShape"/>.
    /// </summary>
    /// <param name="states">The preprocessed cell inputs followed by the earlier intermediate nodes.</param>
    /// <param name="weights">The node's candidates and weights (validated by the network).</param>
    /// <param name="outputShape">Shape of the node output, used when no candidate runs.</param>
    /// <param name="dropPathProbability">Drop-path probability (applied in training only).</param>
    /// <returns>The node output; intermediate tensors belong to the caller's dispose scope.</returns>
    public Tensor forward(IReadOnlyList<Tensor> states, NodeWeights weights, long[] outputShape, double dropPathProbability)
    {
        using var scope = NewDisposeScope(); // candidate outputs and partial sums die here, as in Python
        Tensor? sum = null;
        for (int j = 0; j < weights.Candidates.Length; j++)
        {
            int candidate = weights.Candidates[j];
            var op = ops[candidate];
            Tensor state = states[CandidateIndex.Predecessor(candidate, _operationCount)];
            var h = op.call(state);
            if (training && dropPathProbability > 0.0 && !op.IsBareIdentity)
            {
                var dropped = DropPath.Apply(h, dropPathProbability);
                if (!ReferenceEquals(h, state)) h.Dispose();
                h = dropped;
            }

            // Free each short-lived tensor as soon as it is used, as Python does, so the next allocations reuse its
            // memory; autograd holds its own reference to whatever backward needs (h, when the weight has a gradient).
            using Tensor weight = weights.Weights[j];
            var term = h.mul(weight);
            if (!ReferenceEquals(h, state)) h.Dispose();
            if (sum is null)
            {
                sum = term;
            }
            else
            {
                var next = sum.add(term, KeptScalars.One);
                sum.Dispose();
                term.Dispose();
                sum = next;
            }
        }

        return (sum ?? torch.zeros(outputShape, dtype: states[0].dtype, device: states[0].device)).MoveToOuterDisposeScope();
    }
}
