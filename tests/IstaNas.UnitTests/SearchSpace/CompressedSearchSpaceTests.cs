using IstaNas.Architecture;
using IstaNas.SearchSpace;
using IstaNas.SparseCoding;
using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace IstaNas.Tests.SearchSpace;

public class CompressedSearchSpaceTests
{
    private static CompressedSearchSpace Create(long seed = 7, MeasurementMatrixKind matrix = MeasurementMatrixKind.Uniform, int m = 7) =>
        new(new SearchSpaceOptions { Matrix = matrix, ProjectionDims = m }, new TensorSparseCoder(new SparseCoderOptions()), seed);

    [Fact]
    public void ShapesFollowTheDartsSpace()
    {
        using var space = Create();
        Assert.Equal(4, space.Nodes);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal((i + 2) * 7, space.CandidateCount(i));
            Assert.Equal(new long[] { 7, (i + 2) * 7 }, space.A(CellType.Reduce, i).shape);
            Assert.Equal(new long[] { 7 }, space.B(CellType.Normal, i).shape);
            Assert.Equal(2, space.Support(CellType.Normal, i).Count);
        }
        Assert.Equal(8, space.LatentParameters.Count);
    }

    [Fact]
    public void SameSeedGivesTheSameMatricesAndOtherSeedsDiffer()
    {
        using var a = Create(seed: 3);
        using var b = Create(seed: 3);
        using var c = Create(seed: 4);
        for (int i = 0; i < 4; i++)
        {
            Assert.True(a.A(CellType.Normal, i).Same(b.A(CellType.Normal, i)));
            Assert.True(a.B(CellType.Reduce, i).Same(b.B(CellType.Reduce, i)));
            Assert.False(a.A(CellType.Normal, i).Same(c.A(CellType.Normal, i)));
        }
        Assert.Equal(a.DeriveGenotype(), b.DeriveGenotype());
    }

    [Fact]
    public void UniformEntriesLieInTheUnitIntervalAndGaussianColumnsHaveUnitNorm()
    {
        using var u = Create();
        using var g = Create(matrix: MeasurementMatrixKind.Gaussian);
        using (NewDisposeScope())
        {
            Tensor a = u.A(CellType.Normal, 3);
            Assert.True(a.min().item<float>() >= 0 && a.max().item<float>() < 1);
            Tensor norms = g.A(CellType.Reduce, 2).norm(0);
            Assert.True(norms.sub(1).abs().max().item<float>() < 1e-5f);
        }
    }

    [Fact]
    public void AlphaMatchesTheFormulaOnTheSupport()
    {
        using var space = Create();
        using var scope = NewDisposeScope();
        IReadOnlyList<NodeWeights> weights = space.ArchitectureWeights(CellType.Normal);
        for (int i = 0; i < space.Nodes; i++)
        {
            int[] support = [.. space.Support(CellType.Normal, i)];
            Assert.Equal(support, weights[i].Candidates);
            Tensor a = space.A(CellType.Normal, i).to(float64);
            Tensor b = space.B(CellType.Normal, i).detach().to(float64);
            Tensor z = space.Z(CellType.Normal, i);
            // z thresholded to its support, then alpha_j = z_j + a_j^T (b - A z) for j in S.
            Tensor zs = zeros_like(z);
            foreach (int j in support) zs[j] = z[j];
            Tensor residual = b - a.matmul(zs);
            for (int k = 0; k < support.Length; k++)
            {
                int j = support[k];
                double expected = zs[j].item<double>() + a[TensorIndex.Colon, j].dot(residual).item<double>();
                Assert.Equal(expected, weights[i].Weights[k].item<float>(), 5e-6);
            }
        }
    }

    [Fact]
    public void GradientOfAlphaWithRespectToBIsTheSupportColumnsOfA()
    {
        using var space = Create();
        using var scope = NewDisposeScope();
        IReadOnlyList<NodeWeights> weights = space.ArchitectureWeights(CellType.Reduce);
        for (int i = 0; i < space.Nodes; i++)
        {
            for (int k = 0; k < weights[i].Candidates.Length; k++)
            {
                var b = space.B(CellType.Reduce, i);
                b.grad = null;
                weights[i].Weights[k].backward(retain_graph: true);
                Tensor expected = space.A(CellType.Reduce, i)[TensorIndex.Colon, weights[i].Candidates[k]];
                Assert.True(b.grad!.allclose(expected, rtol: 0, atol: 1e-6), $"node {i} candidate {weights[i].Candidates[k]}");
            }
        }
    }

    [Fact]
    public void FrozenNodesHaveConstantAlphaAndKeepTheirCode()
    {
        using var space = Create();
        using var scope = NewDisposeScope();
        space.SetFrozen(CellType.Normal, 1, true);
        Tensor zBefore = space.Z(CellType.Normal, 1);
        IReadOnlyList<NodeWeights> w = space.ArchitectureWeights(CellType.Normal);
        Assert.False(w[1].Weights.requires_grad);
        Assert.True(w[0].Weights.requires_grad);
        using (no_grad()) space.B(CellType.Normal, 1).add_(0.5f);
        RecoveryReport report = space.Recover();
        Assert.DoesNotContain(report.Nodes, n => n.Cell == CellType.Normal && n.Node == 1);
        Assert.True(space.Z(CellType.Normal, 1).Same(zBefore));
    }

    [Fact]
    public void RecoveryReportsTheChangeOfZ()
    {
        using var space = Create();
        RecoveryReport unchanged = space.Recover();
        Assert.Equal(8, unchanged.Nodes.Count);
        Assert.True(unchanged.MaxChange < 1e-6, $"max change {unchanged.MaxChange}");
        using (no_grad()) space.B(CellType.Reduce, 2).add_(0.01f);
        RecoveryReport changed = space.Recover();
        NodeRecovery node = changed.Nodes.Single(n => n.Cell == CellType.Reduce && n.Node == 2);
        Assert.True(node.Change > 1e-4, $"change {node.Change}");
        Assert.True(node.Converged);
        Assert.All(changed.Nodes.Where(n => n != node), n => Assert.True(n.Change < 1e-6));
    }

    [Fact]
    public void DecodeSplitsTheCandidateIndexIntoPredecessorAndOperation()
    {
        using var space = Create();
        Assert.Equal(new GenotypeEdge("max_pool_3x3", 0), space.Decode(0, 0));
        Assert.Equal(new GenotypeEdge("dil_conv_5x5", 1), space.Decode(0, 13));
        Assert.Equal(new GenotypeEdge("skip_connect", 4), space.Decode(3, 30));
        Assert.Throws<ArgumentOutOfRangeException>(() => space.Decode(0, 14));
        Assert.Throws<ArgumentOutOfRangeException>(() => space.Decode(4, 0));
    }

    [Fact]
    public void GenotypeTakesTheTwoLargestMagnitudesOfEveryNode()
    {
        using var space = Create();
        Genotype g = space.DeriveGenotype();
        for (int i = 0; i < space.Nodes; i++)
        {
            double[] z = space.Z(CellType.Normal, i).data<double>().ToArray();
            int[] top = [.. Enumerable.Range(0, z.Length).OrderByDescending(j => Math.Abs(z[j])).Take(2)];
            Assert.Equal(top.Order().Select(c => space.Decode(i, c)), g.NodeEdges(CellType.Normal, i));
            Assert.Equal(top.Order(), space.Support(CellType.Normal, i));
        }
    }

    [Fact]
    public void StateRoundTripsExactlyThroughAFile()
    {
        using var source = Create(seed: 11, matrix: MeasurementMatrixKind.Gaussian);
        using (no_grad()) source.B(CellType.Normal, 0).mul_(3.3f);
        source.Recover();
        source.SetFrozen(CellType.Reduce, 3, true);
        string dir = Directory.CreateTempSubdirectory("istanas-space").FullName;
        try
        {
            string path = Path.Combine(dir, "space.json");
            source.Save(path);
            using var target = Create(seed: 99, matrix: MeasurementMatrixKind.Gaussian);
            target.Load(path);
            SearchSpaceState a = source.GetState(), b = target.GetState();
            for (int k = 0; k < a.NodeStates.Count; k++)
            {
                Assert.Equal(a.NodeStates[k].A, b.NodeStates[k].A);
                Assert.Equal(a.NodeStates[k].B, b.NodeStates[k].B);
                Assert.Equal(a.NodeStates[k].Z, b.NodeStates[k].Z);
                Assert.Equal(a.NodeStates[k].Support, b.NodeStates[k].Support);
                Assert.Equal(a.NodeStates[k].Frozen, b.NodeStates[k].Frozen);
            }
            Assert.True(target.IsFrozen(CellType.Reduce, 3));
            Assert.Equal(source.DeriveGenotype(), target.DeriveGenotype());
            using var scope = NewDisposeScope();
            var wa = source.ArchitectureWeights(CellType.Normal);
            var wb = target.ArchitectureWeights(CellType.Normal);
            for (int i = 0; i < 4; i++) Assert.True(wa[i].Weights.Same(wb[i].Weights));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void StateOfAnotherShapeIsRefused()
    {
        using var source = Create(m: 7);
        using var target = Create(m: 8);
        var ex = Assert.Throws<ArgumentException>(() => target.LoadState(source.GetState()));
        Assert.Contains("projection dims m 7 vs 8", ex.Message);
    }

    [Fact]
    public void CorruptStateFileIsAFormatErrorNamingTheFile()
    {
        using var space = Create();
        string path = Path.Combine(Path.GetTempPath(), $"istanas-corrupt-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "{\"Nodes\": 4, \"NodeStates\": [");
        try
        {
            var ex = Assert.Throws<FormatException>(() => space.Load(path));
            Assert.Contains(path, ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AGenotypeFileGivenAsAStateSaysItIsAGenotype()
    {
        using var space = Create();
        string genotype = Path.Combine(Path.GetTempPath(), $"istanas-genotype-{Guid.NewGuid():N}.json"), other = genotype + ".other.json";
        Genotype.DartsV2.Save(genotype);
        File.WriteAllText(other, "{\"epochs\": 3}");
        try
        {
            var ex = Assert.Throws<FormatException>(() => space.Load(genotype));
            Assert.Contains(genotype, ex.Message);
            Assert.Contains("is a genotype", ex.Message);
            Assert.Contains("Genotype.Load", ex.Message);
            Assert.Contains("has no \"nodeStates\"", Assert.Throws<FormatException>(() => space.Load(other)).Message);
        }
        finally
        {
            File.Delete(genotype);
            File.Delete(other);
        }
    }

    [Theory]
    [InlineData(nameof(SearchSpaceOptions.ProjectionDims), 0)]
    [InlineData(nameof(SearchSpaceOptions.Nodes), 0)]
    [InlineData(nameof(SearchSpaceOptions.Sparsity), 15)]
    [InlineData(nameof(SearchSpaceOptions.Sparsity), 0)]
    public void InvalidOptionsNameTheOptionAndValue(string option, int value)
    {
        var options = new SearchSpaceOptions();
        typeof(SearchSpaceOptions).GetProperty(option)!.SetValue(options, value);
        var ex = Assert.Throws<OptionsValidationException>(() => new CompressedSearchSpace(options, new TensorSparseCoder(new SparseCoderOptions()), 0));
        Assert.Contains(option, ex.Message);
        Assert.Contains(value.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message);
    }

    [Fact]
    public void UnknownOperationIsRejected()
    {
        var options = new SearchSpaceOptions { Operations = ["sep_conv_3x3", "conv_9x9"] };
        var ex = Assert.Throws<OptionsValidationException>(() => new CompressedSearchSpace(options, new TensorSparseCoder(new SparseCoderOptions()), 0));
        Assert.Contains("conv_9x9", ex.Message);
    }
}
