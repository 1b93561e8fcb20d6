namespace IstaNas.Tests.Packaging;

/// <summary>Where the package tests find the repository and NuGet's package cache, and how they clean up after themselves.</summary>
internal static class PackagePaths
{
    /// <summary>The configuration this test project was built in: the builds of the projects it packs.</summary>
#if DEBUG
    public const string Configuration = "Debug";
#else
    public const string Configuration = "Release";
#endif

    /// <summary>The repository's root: the folder above the test's output that holds IstaNas.sln.</summary>
    public static string RepoRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "IstaNas.sln")))
                return d.FullName;
        throw new InvalidOperationException($"No IstaNas.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>NuGet's global package folder (NUGET_PACKAGES, else ~/.nuget/packages).</summary>
    public static string PackageCache() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } cache
            ? cache
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>A unique prerelease version per run: the global package cache can never serve a stale package of ours.</summary>
    public static string UniqueVersion() => $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>The repository's nuget.config with a local folder feed added in front of its sources.</summary>
    public static string NuGetConfigWithFeed(string repo, string feed)
    {
        string config = File.ReadAllText(Path.Combine(repo, "nuget.config"));
        int clear = config.IndexOf("<clear />", StringComparison.Ordinal);
        Assert.True(clear >= 0, "The repository's nuget.config has no <clear /> in <packageSources>.");
        clear += "<clear />".Length;
        return config[..clear] + $"\n    <add key=\"istanas-local\" value=\"{System.Security.SecurityElement.Escape(feed)}\" />" + config[clear..];
    }

    /// <summary>Deletes a folder and what it holds, if it exists; a file still in use leaves it behind without failing the test.</summary>
    public static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
