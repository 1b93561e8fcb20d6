using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace IstaNas.Tests.Packaging;

/// <summary>
/// The build-time patch of TorchSharp's native library (src/IstaNas/build/IstaNas.targets) is atomic: MSBuild's own in-place
/// copy of libLibTorchSharp.so is gone, the patched bytes are written beside the destination and renamed into place, so a
/// process that loads the library during a rebuild sees the old complete file or the new one, never an unpatched one.
/// Runs a small project that imports the targets, with the library from the NuGet cache as its copy-local asset; also checks
/// the message the patch prints and that the switch <c>IstaNasPatchLibStdCxx=false</c> leaves the library as the package has it.
/// </summary>
[Trait("Category", "Package")]
public sealed class NativePatchTests(ITestOutputHelper log)
{
    private const string Relative = "runtimes/linux-x64/native/libLibTorchSharp.so";

    [Fact]
    public void ThePatchedLibraryIsRenamedIntoPlaceAndNeverCopiedUnpatched()
    {
        if (!OperatingSystem.IsLinux()) return; // the patch is Linux-only
        string repo = PackagePaths.RepoRoot();
        string torchSharp = Regex.Match(File.ReadAllText(Path.Combine(repo, "Directory.Packages.props")), @"<TorchSharpVersion>([^<]+)</TorchSharpVersion>").Groups[1].Value;
        string source = Path.Combine(PackagePaths.PackageCache(), "torchsharp", torchSharp, Relative);
        Assert.True(File.Exists(source), $"TorchSharp's native library is not in the package cache: {source}");
        byte[] original = File.ReadAllBytes(source);

        string work = Path.Combine(Path.GetTempPath(), "istanas-patch-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(work);
        try
        {
            File.WriteAllText(Path.Combine(work, "Directory.Build.props"), "<Project />");
            File.WriteAllText(Path.Combine(work, "Directory.Build.targets"), "<Project />");
            File.WriteAllText(Path.Combine(work, "Directory.Packages.props"), "<Project />");
            File.WriteAllText(Path.Combine(work, "Program.cs"), "System.Console.WriteLine();");
            File.WriteAllText(Path.Combine(work, "Probe.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <IstaNasPatchLibStdCxx>true</IstaNasPatchLibStdCxx>
                  </PropertyGroup>
                  <!-- Stands in for TorchSharp's package asset, as ResolveLockFileCopyLocalFiles lists it. -->
                  <Target Name="ProbeNativeAsset" AfterTargets="ResolveLockFileCopyLocalFiles">
                    <ItemGroup>
                      <ReferenceCopyLocalPaths Include="{source}" DestinationSubDirectory="runtimes/linux-x64/native/" />
                    </ItemGroup>
                  </Target>
                  <Import Project="{Path.Combine(repo, "src", "IstaNas", "build", "IstaNas.targets")}" />
                </Project>
                """);
            string output = Path.Combine(work, "bin", "Release", "net10.0", Relative);

            string first = Build(work);
            Assert.Contains("IstaNas: ", first);
            Assert.DoesNotMatch(@"Copying file from "".*libLibTorchSharp\.so""", first); // MSBuild's in-place copy no longer touches it
            byte[] patched = File.ReadAllBytes(output);
            Assert.Equal(original.Length, patched.Length);
            Assert.False(patched.AsSpan().SequenceEqual(original), "the output library is not patched");
            Assert.True(File.ReadAllBytes(source).AsSpan().SequenceEqual(original), "the package cache's library was changed");

            // A stale, unpatched library in the output, held open by a "process" that loaded it: the rebuild renames the
            // patched file over it, so the open file keeps its complete old bytes and the path holds the new ones.
            File.WriteAllBytes(output, original);
            using (var loaded = new FileStream(output, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                string second = Build(work);
                Assert.DoesNotMatch(@"Copying file from "".*libLibTorchSharp\.so""", second);
                Assert.True(File.ReadAllBytes(output).AsSpan().SequenceEqual(patched), "the rebuild did not bring the patched library back");
                var held = new byte[original.Length];
                loaded.ReadExactly(held);
                Assert.True(held.AsSpan().SequenceEqual(original), "the file was rewritten in place instead of replaced by a rename");
            }

            Assert.Contains("up to date", Build(work)); // nothing written when it already holds the patched bytes

            // The switch: with IstaNasPatchLibStdCxx=false none of the targets runs (the task, which reports every file it
            // looks at, says nothing) and MSBuild copies the package's library as it is.
            File.Delete(output);
            string off = Build(work, "n", "-p:IstaNasPatchLibStdCxx=false");
            Assert.DoesNotContain("IstaNas: ", off);
            Assert.True(File.ReadAllBytes(output).AsSpan().SequenceEqual(original), "with IstaNasPatchLibStdCxx=false the output library is not the package's own");

            // Switched on again: the patch replaces that copy and says so at minimal verbosity (a high-importance message).
            string on = Build(work, "m");
            Assert.Matches(@"IstaNas: patched .*libLibTorchSharp\.so .*IstaNasPatchLibStdCxx=false", on);
            Assert.True(File.ReadAllBytes(output).AsSpan().SequenceEqual(patched), "switched on again, the build did not patch the library");
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private string Build(string project, string verbosity = "d", params string[] properties)
    {
        ChildProcess.Result r = ChildProcess.Run("dotnet", ["build", project, "-c", "Release", $"-v:{verbosity}", "-nodeReuse:false", "-p:UseSharedCompilation=false", .. properties],
            project, TimeSpan.FromMinutes(6));
        log.WriteLine($"dotnet build ({r.Elapsed.TotalSeconds:0.0} s, exit {r.ExitCode})");
        Assert.True(r.ExitCode == 0, $"the build failed:\n{r.Output}");
        return r.Output;
    }
}
