using System.Collections.Concurrent;
using System.Reflection;
using IstaNas.Choices;
using static TorchSharp.torch;

namespace IstaNas.Cli;

/// <summary>
/// <c>--space ASSEMBLY.dll:Namespace.TypeName</c>: a model of your own with choices, a <c>nn.Module&lt;Tensor, Tensor&gt;</c>
/// with a public parameterless constructor, loaded from its assembly in its own <see cref="UserSpaceLoadContext"/>.
/// The space is kept as <c>FULLPATH:Type</c> in the run's annotations, so that resume, export and predict rebuild it.
/// </summary>
internal static class UserSpace
{
    private static readonly ConcurrentDictionary<string, Assembly> Loaded = new(StringComparer.Ordinal);

    /// <summary>Whether a --space value names an assembly and a type (anything with a ':' that is not a built-in space).</summary>
    public static bool IsSpec(string value) => value.Contains(':', StringComparison.Ordinal);

    /// <summary>The value with the assembly's full path (what the annotations keep), checked for its form only.</summary>
    public static string Normalize(string value)
    {
        var (path, type) = Split(value);
        return Path.GetFullPath(path) + ":" + type;
    }

    /// <summary>A short readable name: the type's name.</summary>
    public static string Label(string spec) => Split(spec).Type;

    /// <summary>The factory of the user's model, checked now: assembly, type, base class, constructor and one instance.</summary>
    public static Func<nn.Module<Tensor, Tensor>> Factory(string spec)
    {
        Type type = Resolve(spec);
        nn.Module<Tensor, Tensor> Create()
        {
            try
            {
                return (nn.Module<Tensor, Tensor>)Activator.CreateInstance(type)!;
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                throw new ArgumentException($"--space '{spec}': the constructor of {type.FullName} threw {ex.InnerException.GetType().Name}: " +
                                            ex.InnerException.Message.ReplaceLineEndings(" "), ex.InnerException);
            }
        }
        using (nn.Module<Tensor, Tensor> probe = Create()) // its constructor runs once now, so that it fails before any output exists
        {
            if (!probe.modules().OfType<Choice>().Any())
            {
                try
                {
                    new Choices.Architecture([]).Fix(probe); // the library's own message for a model with nothing to search
                }
                catch (ArgumentException ex)
                {
                    throw new ArgumentException($"--space '{spec}': {ex.Message.Split(" (Parameter", 2)[0]}", ex);
                }
            }
        }
        return Create;
    }

    private static (string Path, string Type) Split(string value)
    {
        int colon = value.LastIndexOf(':');
        string path = colon < 0 ? "" : value[..colon].Trim(), type = colon < 0 ? "" : value[(colon + 1)..].Trim();
        if (path.Length == 0 || type.Length == 0 || type.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"--space '{value}' is not darts, macro, nb201 or ASSEMBLY.dll:Namespace.TypeName (a model of your own with choices).");
        return (path, type);
    }

    private static Type Resolve(string spec)
    {
        var (path, typeName) = Split(spec);
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new ArgumentException($"--space '{spec}': the assembly '{full}' does not exist.");
        Assembly assembly = Loaded.GetOrAdd(full, Load);
        Type? type = assembly.GetType(typeName, throwOnError: false);
        if (type is null)
        {
            string[] models = [.. Models(assembly)];
            throw new ArgumentException($"--space '{spec}': {assembly.GetName().Name} has no type '{typeName}'; " + (models.Length == 0
                ? "it holds no nn.Module<Tensor, Tensor> with a public parameterless constructor."
                : $"its models (those with Choice fields first): {string.Join(", ", models.Take(4))}{(models.Length > 4 ? $", ... ({models.Length} in all)" : "")}."));
        }
        if (!typeof(nn.Module<Tensor, Tensor>).IsAssignableFrom(type))
            throw new ArgumentException($"--space '{spec}': {type.FullName} is not a TorchSharp nn.Module<Tensor, Tensor> (a model from images to logits).");
        if (type.IsAbstract || type.ContainsGenericParameters || type.GetConstructor(Type.EmptyTypes) is not { IsPublic: true })
            throw new ArgumentException($"--space '{spec}': {type.FullName} has no public parameterless constructor; the CLI builds the model with new {type.Name}().");
        return type;
    }

    private static Assembly Load(string path)
    {
        try
        {
            return new UserSpaceLoadContext(path).LoadFromAssemblyPath(path);
        }
        catch (BadImageFormatException ex)
        {
            throw new ArgumentException($"--space: '{path}' is not a .NET assembly ({ex.Message.ReplaceLineEndings(" ")}).", ex);
        }
        catch (Exception ex) when (ex is FileLoadException or InvalidOperationException)
        {
            throw new ArgumentException($"--space: the assembly '{path}' cannot be loaded: {ex.Message.ReplaceLineEndings(" ")}", ex);
        }
    }

    /// <summary>
    /// The assembly's <c>nn.Module&lt;Tensor, Tensor&gt;</c> types with a public parameterless constructor, those with a
    /// Choice field (themselves or a base) first; a model that builds its choices in its constructor (a Sequential) has none.
    /// </summary>
    private static IEnumerable<string> Models(Assembly assembly)
    {
        Type[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            types = [.. ex.Types.OfType<Type>()];
        }
        return types.Where(t => !t.IsAbstract && !t.ContainsGenericParameters && typeof(nn.Module<Tensor, Tensor>).IsAssignableFrom(t)
                                && t.GetConstructor(Type.EmptyTypes) is { IsPublic: true })
            .OrderBy(t => HoldsChoice(t) ? 0 : 1).ThenBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => t.FullName!);
    }

    private static bool HoldsChoice(Type type)
    {
        for (Type? t = type; t is not null && t != typeof(nn.Module); t = t.BaseType)
            if (t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly).Any(f => typeof(Choice).IsAssignableFrom(f.FieldType)))
                return true;
        return false;
    }
}
