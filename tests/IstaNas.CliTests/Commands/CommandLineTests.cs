using System.Diagnostics;
using System.Text.Json;
using IstaNas.Tests.Data;

namespace IstaNas.Tests.Commands;

/// <summary>Runs the CLI as a user would and checks what bad input gets: one line on stderr, exit code 2.</summary>
public class CommandLineTests
{
    /// <summary>Runs the CLI; 5 minutes is a guard against a hang, not a speed check: a loaded machine must not fail a run that works.</summary>
    internal static (int Exit, string Out, string Err) Run(params string[] args) => RunWithin(TimeSpan.FromMinutes(5), args);

    /// <summary>Runs the CLI with <paramref name="args"/>; fails the test if it has not finished within <paramref name="limit"/>.</summary>
    internal static (int Exit, string Out, string Err) RunWithin(TimeSpan limit, params string[] args) => RunIn(new Dictionary<string, string?>(), limit, args);

    /// <summary>
    /// <see cref="RunWithin"/> with the test's environment changed for the child: each entry of <paramref name="environment"/>
    /// is set, or removed when its value is null.
    /// </summary>
    internal static (int Exit, string Out, string Err) RunIn(IReadOnlyDictionary<string, string?> environment, TimeSpan limit, params string[] args)
    {
        string dll = typeof(IstaNas.Cli.DataSpec).Assembly.Location;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (string a in args) psi.ArgumentList.Add(a);
        foreach (var (name, value) in environment)
        {
            if (value is null) psi.Environment.Remove(name);
            else psi.Environment[name] = value;
        }

        using var p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync(), stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(limit))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"istanas {string.Join(' ', args)} did not finish in {limit.TotalMinutes:0} minutes");
        }

        p.WaitForExit(); // the redirected streams are complete only after this
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The CLI refuses <paramref name="args"/> with exit code 2 and one line on stderr, "error: ...", holding <paramref name="expected"/> and no stack trace.</summary>
    internal static void AssertOneLineError(string[] args, string expected)
    {
        var (exit, _, err) = Run(args);
        Assert.True(exit == 2, $"exit {exit}: {err}");
        Assert.StartsWith("error: ", err, StringComparison.Ordinal);
        Assert.Contains(expected, err);
        Assert.DoesNotContain("   at ", err);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("is not known", "search", "--strategy", "foo")]
    [InlineData("does not exist", "search", "--data", "cifar10:/no/such/folder")]
    [InlineData("must be positive", "search", "--epochs", "0")]
    [InlineData("not known", "search", "--data", "imagenet:/x")]
    [InlineData("two paths", "search", "--data", "idx:only-one")]
    [InlineData("neither a file nor a built-in genotype", "evaluate", "--genotype", "nonsense")]
    [InlineData("Cannot parse", "search", "--epochs", "many")]
    [InlineData("Unrecognized", "frobnicate")]
    public void BadInputIsOneLineAndExitCodeTwo(string expected, params string[] args)
    {
        var (exit, _, err) = Run(args);
        Assert.Equal(2, exit);
        Assert.Contains(expected, err);
        Assert.DoesNotContain("   at ", err); // no stack trace
        Assert.StartsWith("error: ", err);
    }

    [Fact]
    public void FileAndDataErrorsAreOneLineToo()
    {
        using var dir = new TempDirectory();
        string corrupt = dir.File("corrupt.ckpt");
        File.WriteAllText(corrupt, "not a checkpoint");
        string cifar = dir.File("cifar");
        Directory.CreateDirectory(cifar);
        File.WriteAllBytes(Path.Combine(cifar, "data_batch_1.bin"), new byte[100]); // not a whole record
        string genotype = dir.File("bad.json");
        File.WriteAllText(genotype, """{"normal":[null],"reduce":[]}""");
        Directory.CreateDirectory(dir.File("no-test"));
        for (int i = 1; i <= 5; i++) dir.WriteCifar($"no-test/data_batch_{i}.bin", [[(byte)i]]); // training batches, no test_batch.bin
        foreach (var (expected, args) in new (string, string[])[]
                 {
                     ("not an IstaNas checkpoint", ["search", "--resume", corrupt]),
                     ("does not exist", ["evaluate", "--resume", dir.File("missing.ckpt")]),
                     ("data_batch_1.bin", ["search", "--data", "cifar10:" + cifar]),
                     ("no test set, and evaluation needs it", ["evaluate", "--genotype", "darts_v2", "--data", "cifar10:" + dir.File("no-test")]),
                     ("is null", ["evaluate", "--genotype", genotype]),
                     ("--genotype is required", ["evaluate"]),
                     ("Layers", ["search", "--layers", "2", "--output", dir.File("layers")]),
                 })
        {
            var (exit, _, err) = Run(args);
            Assert.True(exit == 2, $"{string.Join(' ', args)}: exit {exit}, {err}");
            Assert.StartsWith("error: ", err);
            Assert.Contains(expected, err);
            Assert.DoesNotContain("   at ", err);
            Assert.Single(err.Trim().Split('\n'));
        }
    }

    [Fact]
    public void ARunThatFailsBeforeItsFirstEpochLeavesNoOutputFolder()
    {
        using var dir = new TempDirectory();
        string output = dir.File("out");
        // 100 images split in halves of 50 cannot fill one batch of 64: fails when the strategy starts, after the folder was made.
        var (exit, _, err) = Run("search", "--data", "synthetic:100", "--batch-size", "64", "--output", output);
        Assert.Equal(2, exit);
        Assert.Contains("fewer than one batch", err);
        Assert.False(Directory.Exists(output), "the empty output folder was left behind");
    }

    [Fact]
    public void JsonEventsOfSearchAndEvaluateShareOneSchemaWithHonestNames()
    {
        using var dir = new TempDirectory();
        var (exitS, search, errS) = Run("search", "--data", "synthetic:64", "--epochs", "1", "--steps-per-epoch", "2", "--batch-size", "8", "--channels", "4",
            "--layers", "3", "--json", "--output", dir.File("s"));
        var (exitE, evaluate, errE) = Run("evaluate", "--genotype", "darts_v2", "--data", "synthetic:40", "--epochs", "1", "--steps-per-epoch", "2",
            "--test-steps", "1", "--batch-size", "8", "--channels", "4", "--layers", "3", "--json", "--output", dir.File("e"));
        Assert.True(exitS == 0, errS);
        Assert.True(exitE == 0, errE);
        JsonElement[] s = [.. search.Trim().Split('\n').Select(l => JsonDocument.Parse(l).RootElement)];
        JsonElement[] e = [.. evaluate.Trim().Split('\n').Select(l => JsonDocument.Parse(l).RootElement)];
        JsonElement searchEpoch = s.Single(x => x.GetProperty("event").GetString() == "epoch");
        JsonElement evalEpoch = e.Single(x => x.GetProperty("event").GetString() == "epoch");
        // One schema: the same fields in both, camelCase, accuracy as a fraction, phase as a string.
        Assert.Equal(searchEpoch.EnumerateObject().Select(p => p.Name), evalEpoch.EnumerateObject().Select(p => p.Name));
        Assert.Equal("search", searchEpoch.GetProperty("phase").GetString());
        Assert.Equal("evaluate", evalEpoch.GetProperty("phase").GetString());
        Assert.InRange(searchEpoch.GetProperty("trainAccuracy").GetDouble(), 0, 1);
        // Honest names: the search's validation split is valid*, the evaluation's test set is test*.
        Assert.Equal(JsonValueKind.Number, searchEpoch.GetProperty("validLoss").ValueKind);
        Assert.Equal(JsonValueKind.Null, searchEpoch.GetProperty("testLoss").ValueKind);
        Assert.Equal(JsonValueKind.Null, evalEpoch.GetProperty("validLoss").ValueKind);
        Assert.Equal(JsonValueKind.Number, evalEpoch.GetProperty("testLoss").ValueKind);
        // The final summary lists every file written, the checkpoint included, and they all exist.
        foreach (var (events, checkpoint) in new[] { (s, "two-stage.ckpt"), (e, "evaluation.ckpt") })
        {
            JsonElement done = events[^1];
            Assert.Equal("done", done.GetProperty("event").GetString());
            string[] files = [.. done.GetProperty("files").EnumerateArray().Select(f => f.GetString()!)];
            Assert.Contains(files, f => f.EndsWith(checkpoint, StringComparison.Ordinal));
            Assert.All(files, f => Assert.True(File.Exists(f), f));
            string folder = Path.GetDirectoryName(files[0])!;
            // Besides them only the run's lock and the note of which process holds it (one run per folder; docs/output-files.md).
            Assert.Equal(Directory.GetFiles(folder).Where(f => !Path.GetFileName(f).StartsWith(".istanas-run.", StringComparison.Ordinal)).Order(), files.Order());
            Assert.True(File.Exists(Path.Combine(folder, ".istanas-run.lock")));
        }
    }

    [Fact]
    public void RedirectedOutputIsNotWrappedAt80Columns()
    {
        using var dir = new TempDirectory();
        string output = dir.File("a-rather-long-output-folder-name-so-that-the-header-line-is-well-beyond-eighty-columns");
        var (exit, stdout, err) = Run("search", "--data", "synthetic:64", "--epochs", "1", "--steps-per-epoch", "1", "--batch-size", "8", "--channels", "4",
            "--layers", "3", "--output", output);
        Assert.True(exit == 0, err);
        string header = stdout.Split('\n').Single(l => l.Contains("search on", StringComparison.Ordinal));
        Assert.Contains(output, header);
        Assert.True(header.Length > 120);
    }

    [Fact]
    public void HelpDocumentsEveryOption()
    {
        var (exit, output, _) = Run("search", "--help");
        Assert.Equal(0, exit);
        foreach (string option in new[] { "--strategy", "--data", "--epochs", "--batch-size", "--channels", "--layers", "--seed", "--output", "--resume", "--quiet", "--json", "--device", "--threads" })
            Assert.Contains(option, output);
    }
}
