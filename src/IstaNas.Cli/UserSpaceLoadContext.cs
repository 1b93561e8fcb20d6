using System.Reflection;
using System.Runtime.Loader;

namespace IstaNas.Cli;

/// <summary>
/// The load context of a user's model assembly (<c>--space ASSEMBLY.dll:Namespace.Type</c>): its own dependencies resolve
/// from its folder, while TorchSharp, IstaNas, every assembly the CLI already loaded and every one its own dependency list
/// holds come from the default context, so
/// that <c>Choice</c> and <c>Module</c> are the CLI's own types.
/// </summary>
internal sealed class UserSpaceLoadContext : AssemblyLoadContext
{
    private readonly AssemblyDependencyResolver _resolver;

    public UserSpaceLoadContext(string assemblyPath)
        : base($"istanas --space {Path.GetFileName(assemblyPath)}") => _resolver = new AssemblyDependencyResolver(assemblyPath);

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (IsShared(assemblyName.Name)) return null; // the default context's copy
        string? path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        string? path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }

    /// <summary>The assemblies the CLI's own dependency list holds (the trusted platform assemblies): the CLI's copies win.</summary>
    private static readonly HashSet<string> CliAssemblies = new(
        ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(Path.GetFileNameWithoutExtension).OfType<string>(),
        StringComparer.OrdinalIgnoreCase);

    private static bool IsShared(string? name) =>
        name is not null && (name is "TorchSharp" or "IstaNas" || CliAssemblies.Contains(name)
            || Default.Assemblies.Any(a => string.Equals(a.GetName().Name, name, StringComparison.OrdinalIgnoreCase)));
}
