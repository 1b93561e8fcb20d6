using IstaNas.OptionsReference;

namespace IstaNas.Tests.Spaces.Macro;

/// <summary>The shared NAS-Bench-Macro table (../shared/data, never copied into the repository).</summary>
internal static class MacroTableFile
{
    public static string Path
    {
        get
        {
            string path = System.IO.Path.GetFullPath(System.IO.Path.Combine(
                OptionsDocument.RepositoryRoot(), "..", "shared", "data", "nas-bench-macro", "nas-bench-macro_cifar10.json"));
            Assert.True(File.Exists(path), $"The NAS-Bench-Macro table is expected at {path} (see ../shared/data/README.md).");
            return path;
        }
    }
}
