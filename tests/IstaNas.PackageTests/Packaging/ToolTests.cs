using System.Runtime.InteropServices;
using Xunit.Abstractions;

namespace IstaNas.Tests.Packaging;

/// <summary>
/// Packs the CLI (src/IstaNas.Cli) as the .NET tool IstaNas.Cli for this machine's platform into a local folder feed,
/// installs it from there with <c>dotnet tool install --tool-path</c> (only the feed and the repository's nuget.config
/// sources), and runs it as a user would: <c>istanas search</c> (a tiny one-stage search on the synthetic set, which
/// writes a trained model) and <c>istanas export</c> of that run to ONNX. Excluded with <c>--filter "Category!=Package"</c>.
/// </summary>
[Trait("Category", "Package")]
public sealed class ToolTests(ITestOutputHelper log)
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(8);

    /// <summary>The platforms the tool is packed for (IstaNas.Cli.csproj's ToolPackageRuntimeIdentifiers).</summary>
    private static readonly string[] ToolPlatforms = ["linux-x64", "win-x64", "osx-arm64"];

    [Fact]
    public void TheToolInstallsFromALocalFeedThenSearchesAndExportsToOnnx()
    {
        string rid = RuntimeInformation.RuntimeIdentifier;
        Assert.True(ToolPlatforms.Contains(rid), $"The tool is packed for {string.Join(", ", ToolPlatforms)} (TorchSharp-cpu's platforms), not for {rid}.");
        string repo = PackagePaths.RepoRoot();
        string version = PackagePaths.UniqueVersion();
        string work = Path.Combine(Path.GetTempPath(), "istanas-tool-" + Guid.NewGuid().ToString("N")[..12]);
        string feed = Path.Combine(work, "feed"), tools = Path.Combine(work, "tools");
        Directory.CreateDirectory(feed);
        try
        {
            // This platform's package only (a package per platform holds its native libraries, hundreds of MB each),
            // and the package that `dotnet tool install` resolves first, which names the platform packages.
            Step("dotnet", ["pack", Path.Combine(repo, "src", "IstaNas.Cli", "IstaNas.Cli.csproj"), "-c", PackagePaths.Configuration, "-o", feed,
                $"-p:PackageVersion={version}", $"-p:ToolPackageRuntimeIdentifiers={rid}", "-nodeReuse:false", "-v:m"], repo);
            string pointer = Path.Combine(feed, $"IstaNas.Cli.{version}.nupkg");
            Assert.True(File.Exists(pointer), $"dotnet pack did not produce IstaNas.Cli.{version}.nupkg in {feed}.");
            Assert.True(File.Exists(Path.Combine(feed, $"IstaNas.Cli.{rid}.{version}.nupkg")), $"dotnet pack did not produce IstaNas.Cli.{rid}.{version}.nupkg in {feed}.");
            Assert.Contains("<packageType name=\"DotnetTool\"", ConsumerTests.Entry(pointer, "IstaNas.Cli.nuspec"));
            Assert.Contains("istanas", ConsumerTests.Entry(pointer, "README.md"));

            // No other source than the repository's (nuget.config here) and the feed.
            File.Copy(Path.Combine(repo, "nuget.config"), Path.Combine(work, "nuget.config"));
            Step("dotnet", ["tool", "install", "--tool-path", tools, "--add-source", feed, "IstaNas.Cli", "--version", version], work);
            string istanas = Path.Combine(tools, OperatingSystem.IsWindows() ? "istanas.exe" : "istanas");
            Assert.True(File.Exists(istanas), $"dotnet tool install did not create the command {istanas}.");

            string help = Step(istanas, ["--help"], work);
            Assert.Contains("search", help);

            // A one-stage search trains the network it finds and writes model.ckpt, which export reads.
            Step(istanas, ["search", "--strategy", "one-stage", "--epochs", "1", "--channels", "4", "--layers", "3", "--batch-size", "8",
                "--steps-per-epoch", "2", "--output", "run", "--threads", "1", "--wait-policy", "passive", "--quiet"], work);
            foreach (string file in new[] { "genotype.json", "model.ckpt", "result.json" })
                Assert.True(File.Exists(Path.Combine(work, "run", file)), $"istanas search wrote no {file} in {Path.Combine(work, "run")}.");

            Step(istanas, ["export", "--model", "run", "--onnx", Path.Combine("out", "model.onnx")], work);
            byte[] onnx = File.ReadAllBytes(Path.Combine(work, "out", "model.onnx"));
            // An ONNX ModelProto starts with field 1 (ir_version, a varint): tag byte 0x08.
            Assert.True(onnx.Length > 1000 && onnx[0] == 0x08, $"out/model.onnx ({onnx.Length} bytes) is not an ONNX model.");
        }
        finally
        {
            PackagePaths.TryDelete(work);
            PackagePaths.TryDelete(Path.Combine(PackagePaths.PackageCache(), "istanas.cli", version));
            PackagePaths.TryDelete(Path.Combine(PackagePaths.PackageCache(), $"istanas.cli.{rid}", version));
        }
    }

    private string Step(string file, string[] args, string cwd)
    {
        ChildProcess.Result r = ChildProcess.Run(file, args, cwd, StepTimeout);
        log.WriteLine($"$ {file} {string.Join(' ', args)}  ({r.Elapsed.TotalSeconds:0.0} s, exit {r.ExitCode})");
        Assert.True(r.ExitCode == 0, $"'{file} {string.Join(' ', args)}' exited with {r.ExitCode}. Output:\n{r.Output}");
        return r.Output;
    }
}
