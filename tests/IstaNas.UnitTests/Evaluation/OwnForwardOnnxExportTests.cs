using IstaNas.Choices;
using IstaNas.Evaluation.Onnx;
using TorchSharp.Modules;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace IstaNas.Tests.Evaluation;

/// <summary>A model with its own forward (a choice of an operation and a choice over inputs) exports through <see cref="IOnnxForward"/>.</summary>
public class OwnForwardOnnxExportTests(ITestOutputHelper log)
{
    /// <summary>
    /// Signals [N, 1, 16]: a stem, a choice of block, a choice of two (input, operation) pairs over the stem's and the
    /// block's outputs with a normalisation, then a residual add, a product, a concatenation, a reshape, a constant scale and a linear head.
    /// </summary>
    private class OwnForwardNet : nn.Module<Tensor, Tensor>
    {
        protected readonly Sequential stem = nn.Sequential(nn.Conv1d(1, 8, 3, padding: 1), nn.BatchNorm1d(8), nn.ReLU());
        protected readonly Choice block = Choice.Of("block", 1,
            nn.Sequential(nn.Conv1d(8, 8, 3, padding: 1), nn.BatchNorm1d(8), nn.ReLU()),
            nn.Sequential(nn.Conv1d(8, 8, 5, padding: 2), nn.BatchNorm1d(8), nn.ReLU()),
            nn.Identity());
        protected readonly Choice read = Choice.OverInputs("read", 2, (0, nn.Conv1d(8, 8, 1)), (1, nn.Identity()), (1, nn.MaxPool1d(3, stride: 1, padding: 1)))
            .NormalizedBy(nn.BatchNorm1d(8, affine: false));
        protected readonly AdaptiveAvgPool1d pool = nn.AdaptiveAvgPool1d(1);
        protected readonly Linear classifier = nn.Linear(16, 3);

        public OwnForwardNet()
            : base("OwnForwardNet") => RegisterComponents();

        public Choice Block => block;

        public Choice Read => read;

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            Tensor s = stem.call(x), b = block.call(s);
            Tensor r = read.forward([s, b]);
            Tensor h = cat([(r + s).relu() * b, s], 1);
            return classifier.call(pool.call(h).reshape(-1, 2, 8).flatten(1) * 0.5f).MoveToOuterDisposeScope();
        }
    }

    /// <summary>The same model, describing its forward to ONNX export.</summary>
    private sealed class ExportableNet : OwnForwardNet, IOnnxForward
    {
        public string WriteOnnx(OnnxForwardWriter writer, string input)
        {
            string s = writer.Write(stem, input), b = writer.Write(block, s);
            string r = writer.Write(read, [s, b]);
            string h = writer.Concat([writer.Mul(writer.Relu(writer.Add(r, s)), b), s], axis: 1);
            return writer.Write(classifier, writer.Mul(writer.Flatten(writer.Reshape(writer.Write(pool, h), -1, 2, 8)), 0.5f));
        }
    }

    [Theory]
    [InlineData(new[] { 0 }, new[] { 0, 2 }, false)]
    [InlineData(new[] { 1 }, new[] { 1, 2 }, true)]
    [InlineData(new[] { 2 }, new[] { 0, 1 }, true)]
    public void AModelWithItsOwnForwardAndAChoiceOverInputsRunsTheSameInOnnxRuntime(int[] blockPick, int[] readPicks, bool scaled)
    {
        manual_seed(31);
        using var model = new ExportableNet();
        model.Block.Fix(blockPick);
        if (scaled) model.Read.FixScaled(readPicks, [0.7f, 0.2f]); // a one-stage search's alpha, kept as a constant scale
        else model.Read.Fix(readPicks);
        ModuleOnnxExportTests.RandomiseBatchNorms(model, 32);
        double max = ModuleOnnxExportTests.ExportAndCompare(model, [1, 16], "own-forward", log);
        Assert.True(max < 1e-4, $"own forward: max |ONNX - TorchSharp| = {max}");
    }

    [Fact]
    public void AModelWithItsOwnForwardButNoHookIsRefusedNamingTheHook()
    {
        using var model = new OwnForwardNet();
        model.Block.Fix([0]);
        model.Read.Fix([0, 1]);
        var e = Assert.Throws<NotSupportedException>(() => ModuleOnnxExporter.Build(model, [1, 16]));
        Assert.Contains($"ONNX export does not know the module 'model' ({typeof(OwnForwardNet).FullName})", e.Message, StringComparison.Ordinal);
        Assert.Contains("implement IstaNas.Evaluation.Onnx.IOnnxForward", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void AChoiceOverInputsOutsideAnOwnForwardAndTooFewInputsAreRefused()
    {
        Choice over = Choice.OverInputs("over", 1, (0, nn.Identity()), (1, nn.ReLU()));
        over.Fix([1]);
        using Sequential model = nn.Sequential(("over", over), ("flatten", nn.Flatten()));
        var e = Assert.Throws<NotSupportedException>(() => ModuleOnnxExporter.Build(model, [4]));
        Assert.Contains("Choice 'over' ('over') reads several inputs; the module whose forward calls it must implement IstaNas.Evaluation.Onnx.IOnnxForward", e.Message, StringComparison.Ordinal);

        using var net = new OneInputNet();
        var a = Assert.Throws<ArgumentException>(() => ModuleOnnxExporter.Build(net, [4]));
        Assert.Contains("Candidate 1 of choice 'over' reads input 1, but 1 input(s) were given", a.Message, StringComparison.Ordinal);

        using var misnamed = new OneInputNet(misname: true);
        a = Assert.Throws<ArgumentException>(() => ModuleOnnxExporter.Build(misnamed, [4]));
        Assert.Contains("'x' is not a value of the graph written so far (at 'model')", a.Message, StringComparison.Ordinal);
    }

    /// <summary>A model whose hook gives its choice over two inputs only one (or a name that is no value).</summary>
    private sealed class OneInputNet : nn.Module<Tensor, Tensor>, IOnnxForward
    {
        private readonly Choice over = Choice.OverInputs("over", 1, (0, nn.Identity()), (1, nn.ReLU()));
        private readonly bool _misname;

        public OneInputNet(bool misname = false)
            : base(nameof(OneInputNet))
        {
            _misname = misname;
            RegisterComponents();
            over.Fix([1]);
        }

        public override Tensor forward(Tensor input) => over.forward([input, input]);

        public string WriteOnnx(OnnxForwardWriter writer, string input) => writer.Write(over, [_misname ? "x" : input]);
    }
}
