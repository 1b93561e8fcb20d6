using IstaNas.Architecture;
using IstaNas.Data;
using IstaNas.Networks;
using IstaNas.Strategies;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Tests.Strategies;

/// <summary>
/// The two-stage step against the authors' <c>ista_nas/search/inner_trainer.py</c>: the gradient clip over W and b (b's
/// gradient holding the b-step's plus the W-step's), and <c>zero_grad()</c> zero-filling gradients so SGD keeps stepping
/// the weights of candidates that left the support.
/// </summary>
public class BilevelStepTests
{
    /// <summary>A tiny non-affine super-net whose two candidates per node are weighted by one architecture parameter <c>A</c>.</summary>
    private sealed class Fixture : IDisposable
    {
        private readonly DisposeScope _scope = NewDisposeScope();

        public Fixture()
        {
            torch.random.manual_seed(3);
            Net = new SuperNet(new SuperNetOptions { Channels = 2, Layers = 3, StemMultiplier = 1, Classes = 3 });
            Net.to(ScalarType.Float64);
            Weights = [.. Net.WeightParameters()];
            A = new Parameter(tensor(new[] { 0.6, -0.4 }, dtype: ScalarType.Float64));
            Valid = NewBatch(1);
            Train = NewBatch(2);
        }

        public SuperNet Net { get; }

        public Parameter[] Weights { get; }

        public Parameter A { get; }

        public Batch Valid { get; }

        public Batch Train { get; }

        /// <summary>Candidates of every node: predecessor 0 with two of its convolutions (indices into the seven operations).</summary>
        public int[] Candidates { get; set; } = [3, 5];

        /// <summary>Alpha computed from A, as a search space computes it from b (under no_grad it carries no autograd history).</summary>
        public void SetArchitecture()
        {
            Tensor alpha = A * 1.0;
            foreach (CellType cell in new[] { CellType.Normal, CellType.Reduce })
                Net.SetArchitecture(cell, [.. Enumerable.Range(0, 4).Select(_ => new NodeWeights(Candidates, alpha))]);
        }

        public void Step(optim.Optimizer wOptimizer, optim.Optimizer aOptimizer, double clip, bool clipArchitecture, bool zeroFill)
        {
            using var metricsA = new RunningMetrics(CPU);
            using var metricsB = new RunningMetrics(CPU);
            using var step = NewDisposeScope();
            BilevelStep.Run(Net, SetArchitecture, [A], aOptimizer, Weights, wOptimizer, clip, clipArchitecture, zeroFill, Valid, Train, metricsA, metricsB);
        }

        /// <summary>The gradients of A and of W of one batch's loss, computed by hand.</summary>
        public (Tensor A, Tensor[] W) Gradients(Batch batch)
        {
            A.grad = null;
            foreach (Parameter p in Weights) p.grad = null;
            SetArchitecture();
            nn.functional.cross_entropy(Net.forward(batch.Images), batch.Labels).backward();
            Tensor[] weights = [.. Weights.Select(p => p.grad is Tensor g ? g.clone() : zeros_like(p))];
            Tensor a = A.grad!.clone();
            A.grad = null;
            foreach (Parameter p in Weights) p.grad = null;
            return (a, weights);
        }

        private static Batch NewBatch(int seed)
        {
            var generator = new Generator((ulong)seed);
            Tensor images = randn([4, 3, 8, 8], dtype: ScalarType.Float64, generator: generator);
            Tensor labels = tensor(new long[] { 0, 1, 2, 1 });
            return new Batch(images, labels, 0, seed, [0, 1, 2, 3]);
        }

        public void Dispose()
        {
            Valid.Dispose();
            Train.Dispose();
            Net.Dispose();
            _scope.Dispose();
        }
    }

    private static double Norm(IEnumerable<Tensor> tensors) => Math.Sqrt(tensors.Sum(t => t.square().sum().item<double>()));

    [Fact]
    public void TheClipOfWCountsBsGradientOfBothStepsAsTheAuthorsClipOverModelParameters()
    {
        using var f = new Fixture();
        (Tensor aValid, _) = f.Gradients(f.Valid);
        (Tensor aTrain, Tensor[] w) = f.Gradients(f.Train);
        using var wOptimizer = optim.SGD(f.Weights, 0.0); // learning rate 0: the step leaves the clipped gradients to read
        using var aOptimizer = optim.SGD([f.A], 0.0);
        const double clip = 1e-3;

        f.Step(wOptimizer, aOptimizer, clip, clipArchitecture: true, zeroFill: true);

        Tensor b = aValid + aTrain; // what b's gradient holds when the authors take the norm
        double total = Math.Sqrt((Norm(w) * Norm(w)) + (Norm([b]) * Norm([b])));
        double coefficient = clip / (total + 1e-6);
        Assert.True(coefficient < 0.5, $"the test needs an active clip (coefficient {coefficient})");
        Assert.True(f.A.grad!.allclose(b * coefficient, rtol: 1e-9, atol: 0), "b's gradient is not the clipped sum of both steps' gradients");
        for (int i = 0; i < w.Length; i++)
        {
            Tensor expected = w[i] * coefficient;
            Tensor actual = f.Weights[i].grad ?? zeros_like(expected);
            Assert.True(actual.allclose(expected, rtol: 1e-9, atol: 1e-18), $"weight {i}: not clipped by the norm over W and b");
        }
    }

    [Fact]
    public void WithoutBTheClipOfWUsesWsNormAloneAndBKeepsItsStepGradient()
    {
        using var f = new Fixture();
        (Tensor aValid, _) = f.Gradients(f.Valid);
        (_, Tensor[] w) = f.Gradients(f.Train);
        using var wOptimizer = optim.SGD(f.Weights, 0.0);
        using var aOptimizer = optim.SGD([f.A], 0.0);
        const double clip = 1e-3;

        f.Step(wOptimizer, aOptimizer, clip, clipArchitecture: false, zeroFill: true);

        double coefficient = clip / (Norm(w) + 1e-6);
        Assert.True(f.A.grad!.allclose(aValid, rtol: 1e-9, atol: 0));
        Assert.Equal(Norm(w) * coefficient, Norm(f.Weights.Select(p => p.grad ?? zeros_like(p))), 12);
        Assert.True(coefficient < 0.5);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void CandidatesThatLeftTheSupportKeepMovingWithZeroFilledGradientsAndStayPutWithout(bool zeroFill)
    {
        using var f = new Fixture();
        using var wOptimizer = optim.SGD(f.Weights, 0.1, momentum: 0.9, weight_decay: 3e-4);
        using var aOptimizer = optim.Adam([f.A], 3e-4);
        f.Step(wOptimizer, aOptimizer, 5, clipArchitecture: true, zeroFill);
        int[] ranFirst = Gradients.Held(f.Weights);

        f.Candidates = [4, 6]; // both candidates leave the support of every node
        Tensor[] before = [.. f.Weights.Select(p => p.detach().clone())];
        f.Step(wOptimizer, aOptimizer, 5, clipArchitecture: true, zeroFill);

        int[] idle = [.. ranFirst.Where(i => f.Weights[i].grad is not Tensor g || g.abs().max().item<double>() == 0)];
        Assert.NotEmpty(idle);
        foreach (int i in idle)
        {
            bool moved = !f.Weights[i].detach().allclose(before[i], rtol: 0, atol: 0);
            Assert.True(moved == zeroFill, $"weight {i} of a candidate outside the support {(moved ? "moved" : "stayed")}");
            Assert.Equal(zeroFill, f.Weights[i].grad is not null);
        }

        // A candidate that never ran has no gradient in either mode and never moves.
        int[] neverRan = [.. Enumerable.Range(0, f.Weights.Length).Where(i => f.Weights[i].grad is null && !ranFirst.Contains(i))];
        Assert.NotEmpty(neverRan);
        Assert.All(neverRan, i => Assert.True(f.Weights[i].detach().allclose(before[i], rtol: 0, atol: 0)));
    }

    [Fact]
    public void HeldGradientsRoundTripThroughRestoreAndABadPositionIsAClearError()
    {
        using var scope = NewDisposeScope();
        Parameter[] ps = [new(zeros(2)), new(zeros(3)), new(zeros(1))];
        Gradients.Restore(ps, [0, 2]);
        Assert.Equal([0, 2], Gradients.Held(ps));
        Assert.True(ps[0].grad!.allclose(zeros(2), rtol: 0, atol: 0));
        Gradients.Reset(ps, zeroFill: true);
        Assert.Equal([0, 2], Gradients.Held(ps));
        Gradients.Reset(ps, zeroFill: false);
        Assert.Empty(Gradients.Held(ps));
        var ex = Assert.Throws<ArgumentException>(() => Gradients.Restore(ps, [3]));
        Assert.Contains("position 3", ex.Message);
    }
}
