using IstaNas.Checkpoints;
using IstaNas.Tests.Data;
using static TorchSharp.torch;

namespace IstaNas.Tests.Checkpoints;

[Collection(TorchGlobalStateCollection.Name)]
public class CheckpointTests
{
    private static readonly CheckpointFingerprint Fingerprint = CheckpointFingerprint.Empty
        .With("network.channels", 4).With("genotype", "darts_v2").With("data", "synthetic:64").With("seed", 3L).With("lr", 0.025);

    private sealed record Entry(int Epoch, double Loss);

    private static CheckpointWriter Sample() => new CheckpointWriter("evaluation", Fingerprint) { Epoch = 2, Step = 5 }
        .SetHistory(new[] { new Entry(1, 2.5), new Entry(2, double.NaN) })
        .SetValue("best", 0.75)
        .SetValue("names", new[] { "a", "b" })
        .AddSection("alpha", [1, 2, 3])
        .AddSection("beta", s => s.Write(new byte[1000]));

    [Fact]
    public void MetadataAndSectionsRoundTrip()
    {
        using var dir = new TempDirectory();
        string path = dir.File("run.ckpt");
        Sample().Save(path);
        Checkpoint c = Checkpoint.Load(path);
        Assert.Equal("evaluation", c.Metadata.Kind);
        Assert.Equal(2, c.Metadata.Epoch);
        Assert.Equal(5, c.Metadata.Step);
        Assert.Equal(Fingerprint, c.Metadata.Fingerprint);
        Assert.Equal("4", c.Metadata.Fingerprint["network.channels"]);
        var history = c.Metadata.GetHistory<Entry>();
        Assert.Equal(2, history.Count);
        Assert.Equal(2.5, history[0].Loss);
        Assert.True(double.IsNaN(history[1].Loss));
        Assert.Equal(0.75, c.Metadata.GetValue<double>("best"));
        Assert.Equal(["a", "b"], c.Metadata.GetValue<string[]>("names"));
        Assert.Equal(["alpha", "beta"], c.SectionNames);
        Assert.Equal([1, 2, 3], c.ReadSection("alpha"));
        using var beta = c.OpenSection("beta");
        Assert.Equal(1000, beta.Length);
        c.EnsureKind("evaluation");
        c.EnsureFingerprint(Fingerprint);
        var missing = Assert.Throws<CheckpointException>(() => c.OpenSection("gamma"));
        Assert.Contains("gamma", missing.Message);
        Assert.Throws<KeyNotFoundException>(() => c.Metadata.GetValue<int>("nope"));
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    public void ModuleOptimizerAndRngRestoreGiveBitIdenticalNextStep(string kind)
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.ckpt");
        using var scope = NewDisposeScope();
        manual_seed(11);
        var x = randn(16, 5);
        var y = randn(16, 3);

        static nn.Module<Tensor, Tensor> Net() => nn.Sequential(nn.Linear(5, 8), nn.Dropout(0.3), nn.ReLU(), nn.Linear(8, 3));
        static void Step(nn.Module<Tensor, Tensor> net, optim.Optimizer opt, Tensor x, Tensor y)
        {
            using var s = NewDisposeScope();
            opt.zero_grad();
            nn.functional.mse_loss(net.forward(x), y).backward();
            opt.step();
        }

        manual_seed(1);
        var a = Net();
        optim.Optimizer Make(nn.Module<Tensor, Tensor> net, double lr) => kind == "sgd"
            ? optim.SGD(net.parameters(), lr, momentum: 0.9, weight_decay: 1e-3)
            : optim.Adam(net.parameters(), lr, 0.5, 0.999, weight_decay: 1e-3);
        var optA = Make(a, 0.1);
        Step(a, optA, x, y);
        Step(a, optA, x, y);
        new CheckpointWriter("test", Fingerprint).AddModule(a).AddOptimizer((TorchSharp.Modules.OptimizerHelper)optA).AddRngState().Save(path);
        Step(a, optA, x, y);
        Step(a, optA, x, y);

        manual_seed(99); // different init and generator state: everything must come from the checkpoint
        var b = Net();
        var optB = Make(b, 0.5);
        Checkpoint c = Checkpoint.Load(path);
        c.LoadModule(b);
        c.LoadOptimizer((TorchSharp.Modules.OptimizerHelper)optB);
        c.RestoreRngState();
        Assert.Equal(0.1, optB.ParamGroups.First().LearningRate);
        Step(b, optB, x, y);
        Step(b, optB, x, y);

        foreach (var (pa, pb) in a.parameters().Zip(b.parameters()))
            Assert.True(pa.equal(pb).all().item<bool>(), "weights differ after resuming");
    }

    [Fact]
    public void MissingFileIsNamed()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => Checkpoint.Load("/nonexistent/dir/x.ckpt"));
        Assert.Contains("x.ckpt", ex.Message);
    }

    [Fact]
    public void TruncatedFileIsRejected()
    {
        using var dir = new TempDirectory();
        string path = dir.File("t.ckpt");
        Sample().Save(path);
        byte[] bytes = File.ReadAllBytes(path);
        foreach (int cut in new[] { 5, 20, bytes.Length / 2, bytes.Length - 1 })
        {
            File.WriteAllBytes(path, bytes[..cut]);
            var ex = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path));
            Assert.Contains("t.ckpt", ex.Message);
            Assert.True(ex.Message.Contains("truncated") || ex.Message.Contains("magic"), ex.Message);
        }
    }

    [Fact]
    public void EveryFlippedByteIsDetected()
    {
        using var dir = new TempDirectory();
        string path = dir.File("f.ckpt");
        new CheckpointWriter("k", Fingerprint).AddSection("s", [9, 8, 7]).Save(path);
        byte[] bytes = File.ReadAllBytes(path);
        for (int i = 0; i < bytes.Length; i++)
        {
            byte[] copy = (byte[])bytes.Clone();
            copy[i] ^= 0x10;
            File.WriteAllBytes(path, copy);
            var ex = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path));
            Assert.Contains("f.ckpt", ex.Message);
        }
    }

    [Fact]
    public void FlippedSectionByteNamesTheSection()
    {
        using var dir = new TempDirectory();
        string path = dir.File("s.ckpt");
        Sample().Save(path);
        byte[] bytes = File.ReadAllBytes(path);
        int at = bytes.Length - 32 - 8 - 500; // inside the 1000 zero bytes of "beta"
        bytes[at] ^= 1;
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path));
        Assert.Contains("section 'beta' is corrupted", ex.Message);
    }

    [Fact]
    public void WrongMagicAndVersionAreRejected()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.ckpt");
        File.WriteAllText(path, "this is not a checkpoint at all");
        Assert.Contains("magic", Assert.Throws<CheckpointException>(() => Checkpoint.Load(path)).Message);
        Sample().Save(path);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[8] = 7;
        File.WriteAllBytes(path, bytes);
        Assert.Contains("version 7", Assert.Throws<CheckpointException>(() => Checkpoint.Load(path)).Message);
    }

    [Fact]
    public void MismatchedFingerprintSaysWhichPartDiffers()
    {
        using var dir = new TempDirectory();
        string path = dir.File("p.ckpt");
        Sample().Save(path);
        Checkpoint c = Checkpoint.Load(path);
        var other = CheckpointFingerprint.Empty
            .With("network.channels", 8).With("genotype", "darts_v2").With("data", "synthetic:64").With("seed", 3L).With("lr", 0.025);
        var ex = Assert.Throws<CheckpointException>(() => c.EnsureFingerprint(other));
        Assert.Contains("network.channels: checkpoint '4', expected '8'", ex.Message);
        Assert.DoesNotContain("genotype", ex.Message);
        Assert.Contains("p.ckpt", ex.Message);
        Assert.Contains("'test'", Assert.Throws<CheckpointException>(() => c.EnsureKind("test")).Message);
    }

    [Fact]
    public void CrashDuringSaveLeavesThePreviousCheckpoint()
    {
        using var dir = new TempDirectory();
        string path = dir.File("c.ckpt");
        Sample().Save(path);
        byte[] before = File.ReadAllBytes(path);
        var failing = new CheckpointWriter("evaluation", Fingerprint) { Epoch = 3 }
            .AddSection("first", new byte[100_000])
            .AddSection("boom", _ => throw new IOException("simulated crash"));
        Assert.Throws<IOException>(() => failing.Save(path));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["c.ckpt"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
        Assert.Equal(2, Checkpoint.Load(path).Metadata.Epoch);
    }
}
