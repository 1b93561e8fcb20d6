using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using IstaNas.Architecture;
using Xunit.Abstractions;

namespace IstaNas.Tests.Packaging;

/// <summary>
/// Packs IstaNas, IstaNas.Formats and IstaNas.Visualization into a local folder feed and builds and runs a tiny
/// application that references the three packages (plus TorchSharp-cpu) like any consumer: proves the packages restore,
/// their APIs work (an IDX pair written by the app and searched through the Formats package's <c>UseIdx</c>; TorchSharp and
/// ScottPlot's SkiaSharp in one process), that the core package lists no plotting, image or pickle dependency,
/// and — on hosts with an older libstdc++ such as Debian 12 — that the buildTransitive patch of libLibTorchSharp.so
/// reaches consumers. Excluded with <c>--filter "Category!=Package"</c>.
/// </summary>
[Trait("Category", "Package")]
public sealed class ConsumerTests(ITestOutputHelper log)
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(6);

    [Fact]
    public void PackedLibrariesRestoreBuildSearchAndDrawInAConsumerApp()
    {
        string repo = PackagePaths.RepoRoot();
        // A unique version per run; the shared cache keeps TorchSharp's large native packages.
        string version = PackagePaths.UniqueVersion();
        string work = Path.Combine(Path.GetTempPath(), "istanas-consumer-" + Guid.NewGuid().ToString("N")[..12]);
        string feed = Path.Combine(work, "feed");
        string app = Path.Combine(work, "app");
        Directory.CreateDirectory(feed);
        Directory.CreateDirectory(app);
        try
        {
            // The test project already built both libraries in this configuration: pack those builds.
            foreach (string project in new[] { "IstaNas", "IstaNas.Formats", "IstaNas.Visualization" })
            {
                Step("dotnet", ["pack", Path.Combine(repo, "src", project, $"{project}.csproj"), "-c", PackagePaths.Configuration, "--no-build",
                    "-o", feed, $"-p:PackageVersion={version}", "-nodeReuse:false", "-v:m"], repo);
                Assert.True(File.Exists(Path.Combine(feed, $"{project}.{version}.nupkg")), $"dotnet pack did not produce {project}.{version}.nupkg in {feed}.");
            }

            // The lean core: no plotting, image or pickle package among IstaNas's dependencies; the readers' and the
            // pictures' packages have them.
            string[] core = Dependencies(Path.Combine(feed, $"IstaNas.{version}.nupkg"));
            Assert.Contains("TorchSharp", core);
            Assert.DoesNotContain(core, IsPlottingOrImage);
            Assert.DoesNotContain("StbImageSharp", core);
            Assert.DoesNotContain("Razorvine.Pickle", core);
            string[] formats = Dependencies(Path.Combine(feed, $"IstaNas.Formats.{version}.nupkg"));
            Assert.Contains("IstaNas", formats);
            Assert.Contains("StbImageSharp", formats); // the image folders' decoder
            Assert.Contains("Razorvine.Pickle", formats); // the CIFAR pickle reader
            Assert.Contains("# IstaNas.Formats", Entry(Path.Combine(feed, $"IstaNas.Formats.{version}.nupkg"), "README.md"));
            string[] pictures = Dependencies(Path.Combine(feed, $"IstaNas.Visualization.{version}.nupkg"));
            Assert.Contains("IstaNas", pictures);
            Assert.Contains("ScottPlot", pictures);
            Assert.Contains("SkiaSharp", pictures);
            // Each package depends on the core at exactly its own version (src/Packaging.props): the readers use the core's
            // internals, so a newer core beside them must fail at restore, not at run time.
            Assert.Equal($"[{version}]", DependencyVersion(Path.Combine(feed, $"IstaNas.Formats.{version}.nupkg"), "IstaNas"));
            Assert.Equal($"[{version}]", DependencyVersion(Path.Combine(feed, $"IstaNas.Visualization.{version}.nupkg"), "IstaNas"));

            // The core package's readme is its own and documents the build step that patches TorchSharp's native library.
            string readme = Entry(Path.Combine(feed, $"IstaNas.{version}.nupkg"), "README.md");
            Assert.Contains("## The build step that patches TorchSharp's native library", readme);
            Assert.Contains("<IstaNasPatchLibStdCxx>false</IstaNasPatchLibStdCxx>", readme);

            WriteApp(repo, app, feed, version);
            string build = Step("dotnet", ["build", app, "-c", "Release", "-nodeReuse:false", "-v:n", "-p:UseSharedCompilation=false"], app);
            if (OperatingSystem.IsLinux())
                Assert.True(Regex.IsMatch(build, @"IstaNas: .*libLibTorchSharp\.so"),
                    $"The package's buildTransitive/IstaNas.targets did not run in the consumer build (no 'IstaNas: ... libLibTorchSharp.so' message). Output:\n{build}");
            string dll = Path.Combine(app, "bin", "Release", "net10.0", "Consumer.dll");
            string output = Step("dotnet", [dll], app);

            Match m = Regex.Match(output, @"--- genotype ---\s*(?<json>\{.*\})\s*--- end ---", RegexOptions.Singleline);
            Assert.True(m.Success, $"The consumer printed no genotype. Output:\n{output}");
            Genotype genotype = Genotype.FromJson(m.Groups["json"].Value);
            Assert.Equal(4, genotype.Nodes);
            Assert.Contains("idx: 64 images of 3x32x32, 10 classes", output); // read back through IstaNas.Formats
            Assert.DoesNotContain("failed ", output, StringComparison.Ordinal);
            foreach (string picture in new[] { "normal.svg", "normal.dot", "reduce.png", "loss.png", "accuracy.png", "learning_rate.png", "z_magnitude.png", "darts_reduce.png" })
            {
                Assert.Contains($"wrote {picture}", output);
                string path = Path.Combine(app, "out", picture);
                Assert.True(new FileInfo(path).Length > 0, $"{picture} is empty");
                if (picture.EndsWith(".png", StringComparison.Ordinal))
                    Assert.True(Visualization.PngReader.Decode(File.ReadAllBytes(path)).DistinctColours() > 100, $"{picture} is blank.");
            }
        }
        finally
        {
            PackagePaths.TryDelete(work);
            PackagePaths.TryDelete(Path.Combine(PackagePaths.PackageCache(), "istanas", version));
            PackagePaths.TryDelete(Path.Combine(PackagePaths.PackageCache(), "istanas.visualization", version));
            PackagePaths.TryDelete(Path.Combine(PackagePaths.PackageCache(), "istanas.formats", version));
        }
    }

    /// <summary>The package ids a .nupkg's nuspec depends on (any target framework).</summary>
    private static string[] Dependencies(string nupkg) =>
        Nuspec(nupkg).Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => (string)e.Attribute("id")!).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();

    /// <summary>The version range a .nupkg's nuspec gives for its dependency <paramref name="id"/>.</summary>
    private static string DependencyVersion(string nupkg, string id) =>
        Nuspec(nupkg).Descendants().Where(e => e.Name.LocalName == "dependency" && (string?)e.Attribute("id") == id)
            .Select(e => (string)e.Attribute("version")!).Single();

    /// <summary>The nuspec at the root of a .nupkg.</summary>
    private static XDocument Nuspec(string nupkg)
    {
        using ZipArchive zip = ZipFile.OpenRead(nupkg);
        ZipArchiveEntry nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.OrdinalIgnoreCase) && !e.FullName.Contains('/'));
        using Stream stream = nuspec.Open();
        return XDocument.Load(stream);
    }

    /// <summary>The text of one file at the root of a .nupkg.</summary>
    internal static string Entry(string nupkg, string name)
    {
        using ZipArchive zip = ZipFile.OpenRead(nupkg);
        ZipArchiveEntry entry = zip.GetEntry(name) ?? throw new InvalidOperationException($"{Path.GetFileName(nupkg)} has no {name}.");
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }

    private static bool IsPlottingOrImage(string id) =>
        Regex.IsMatch(id, @"(?i)^(ScottPlot|SkiaSharp|HarfBuzzSharp|OxyPlot|LiveCharts|Plotly|XPlot|SixLabors|System\.Drawing|Microsoft\.Maui\.Graphics|Svg|QuikGraph|Microsoft\.Msagl|MathNet\.Plot)")
        || id.Contains("Visualization", StringComparison.OrdinalIgnoreCase);

    private string Step(string file, string[] args, string cwd)
    {
        ChildProcess.Result r = ChildProcess.Run(file, args, cwd, StepTimeout);
        log.WriteLine($"$ {file} {string.Join(' ', args)}  ({r.Elapsed.TotalSeconds:0.0} s, exit {r.ExitCode})");
        Assert.True(r.ExitCode == 0, $"'{file} {string.Join(' ', args)}' exited with {r.ExitCode}. Output:\n{r.Output}");
        return r.Output;
    }

    private static void WriteApp(string repo, string app, string feed, string version)
    {
        string template = Path.Combine(repo, "tests", "IstaNas.Consumer.Template");
        string torchSharp = Regex.Match(File.ReadAllText(Path.Combine(repo, "Directory.Packages.props")),
            @"<TorchSharpVersion>([^<]+)</TorchSharpVersion>").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(torchSharp), "TorchSharpVersion not found in Directory.Packages.props.");
        File.WriteAllText(Path.Combine(app, "Consumer.csproj"), File.ReadAllText(Path.Combine(template, "Consumer.csproj.template"))
            .Replace("@ISTANAS_VERSION@", version, StringComparison.Ordinal)
            .Replace("@TORCHSHARP_VERSION@", torchSharp, StringComparison.Ordinal));
        File.Copy(Path.Combine(template, "Program.cs.template"), Path.Combine(app, "Program.cs"));
        // Stop MSBuild's upward search for Directory.Build.*/Directory.Packages.props at the app.
        File.WriteAllText(Path.Combine(app, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(app, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(app, "Directory.Packages.props"), "<Project />\n");
        // The repository's sources (the nuget.org mirror) plus the local folder feed.
        File.WriteAllText(Path.Combine(app, "nuget.config"), PackagePaths.NuGetConfigWithFeed(repo, feed));
    }
}
