using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text;
using IstaNas.Data;
using IstaNas.Evaluation;
using IstaNas.Quality;
using IstaNas.SearchSpace;
using IstaNas.SparseCoding;
using IstaNas.Strategies;
using IstaNas.Training;

namespace IstaNas.OptionsReference;

/// <summary>docs/options.md: every options class, by reflection, with the text of its XML documentation.</summary>
public static class OptionsDocument
{
    /// <summary>The documented classes, in page order, with where a user sets them.</summary>
    private static readonly (Type Type, string UsedBy)[] Sections =
    [
        (typeof(SearchSpaceOptions), "`SearchBuilder.ConfigureSearchSpace`; configuration section `IstaNas:SearchSpace`."),
        (typeof(SparseCoderOptions), "`SearchBuilder.ConfigureSparseCoder`, `SparseCoder.Create`; configuration section `IstaNas:SparseCoder`."),
        (typeof(TrainingOptions), "the base of every training options class below."),
        (typeof(TargetTrainingOptions), "the base of `OneStageOptions` and `EvaluationOptions`."),
        (typeof(ArchitectureOptimizerOptions), "the `Architecture` option of the two-stage, one-stage and DARTS searches; configuration `IstaNas:TwoStage:Architecture:LearningRate` and so on."),
        (typeof(TwoStageOptions), "`SearchBuilder.UseTwoStage` / `ConfigureTwoStage`; configuration section `IstaNas:TwoStage`."),
        (typeof(OneStageOptions), "`SearchBuilder.UseOneStage` / `ConfigureOneStage`; configuration section `IstaNas:OneStage`."),
        (typeof(DartsOptions), "`SearchBuilder.UseDarts` / `ConfigureDarts`; configuration section `IstaNas:Darts`."),
        (typeof(RandomOptions), "`SearchBuilder.UseRandom` / `ConfigureRandom`; configuration section `IstaNas:Random`."),
        (typeof(EvaluationOptions), "`new EvaluationTrainer(genotype, options)`; configuration section `IstaNas:Evaluation`."),
        (typeof(ConsistencyOptions), "`new ConsistencyStudy(options)`; `StandAlone` is an `EvaluationOptions`."),
        (typeof(ImageFolderOptions), "`ImageDataset.LoadImageFolder`, `ImageDataset.LoadImageFolderTrainTest`, `SearchBuilder.UseImageFolder` (package IstaNas.Formats)."),
    ];

    /// <summary>The whole page.</summary>
    public static string Generate()
    {
        var docsByAssembly = new Dictionary<Assembly, XmlDocs>(); // ImageFolderOptions is documented in IstaNas.Formats
        var sb = new StringBuilder();
        sb.AppendLine("# Options reference").AppendLine();
        sb.AppendLine("Every options class states its rules as data annotations (the range column below) and, for rules across options,");
        sb.AppendLine("`IValidatableObject`; one validator checks them when the options are used (`SearchBuilder.Build`, a strategy's");
        sb.AppendLine("constructor, `AddIstaNas` with `ValidateOnStart`): a bad value throws `OptionsValidationException` naming the option");
        sb.AppendLine("and the value (`ArgumentException` where the options are a method's argument, as for `SparseCoder.Create` and the");
        sb.AppendLine("image folder readers). This page is");
        sb.AppendLine("generated from the options classes and their XML documentation by `dotnet run --project tools/IstaNas.OptionsReference`;");
        sb.AppendLine("a test fails when it is out of date.");
        foreach (var (type, usedBy) in Sections)
        {
            if (!docsByAssembly.TryGetValue(type.Assembly, out XmlDocs? docs)) docsByAssembly[type.Assembly] = docs = XmlDocs.For(type.Assembly);
            sb.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"## {type.Name}").AppendLine();
            sb.AppendLine(docs.Summary($"T:{type.FullName}"));
            string inherits = type.BaseType is { } b && b != typeof(object) && Sections.Any(s => s.Type == b) ? $" Inherits the options of `{b.Name}`." : string.Empty;
            sb.AppendLine(CultureInfo.InvariantCulture, $"Used by {usedBy}{inherits}").AppendLine();
            object defaults = Instance(type);
            sb.AppendLine("| option | type | default | range | meaning |").AppendLine("| --- | --- | --- | --- | --- |");
            foreach (PropertyInfo p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Where(p => p.CanWrite))
            {
                string value = Format(p.GetValue(defaults));
                sb.AppendLine(CultureInfo.InvariantCulture,
                    $"| `{p.Name}` | `{TypeName(p.PropertyType)}` | {value} | {Range(p)} | {Escape(docs.Summary($"P:{p.DeclaringType!.FullName}.{p.Name}"))} |");
            }

            AppendChangedDefaults(sb, type, defaults);
        }

        return sb.ToString();
    }

    /// <summary>The repository root (where IstaNas.sln is), searched upwards from the running program.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "IstaNas.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"No IstaNas.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>Rows for inherited options whose default this class changes.</summary>
    private static void AppendChangedDefaults(StringBuilder sb, Type type, object defaults)
    {
        Type? baseType = type.BaseType;
        if (baseType is null || baseType == typeof(object)) return;
        var changed = new List<string>();
        foreach (PropertyInfo p in baseType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            string mine = Format(p.GetValue(defaults)), inherited = BaseDefault(baseType, p);
            if (mine != inherited) changed.Add($"`{p.Name}` = {mine}");
        }

        if (changed.Count > 0) sb.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Defaults it sets for inherited options: {string.Join(", ", changed)}.");
    }

    /// <summary>
    /// An instance that shows a class's defaults: the class itself, or for an abstract class the documented subclass that
    /// changes none of its defaults.
    /// </summary>
    private static object Instance(Type type) => Activator.CreateInstance(
        type == typeof(TrainingOptions) ? typeof(TwoStageOptions)
        : type == typeof(TargetTrainingOptions) ? typeof(OneStageOptions)
        : type)!;

    private static string BaseDefault(Type type, PropertyInfo p) => Format(p.GetValue(Instance(type)));

    private static string Range(PropertyInfo p)
    {
        var parts = new List<string>();
        if (p.GetCustomAttribute<RangeAttribute>() is { } r)
        {
            string exclusive = (r.MinimumIsExclusive, r.MaximumIsExclusive) switch
            {
                (true, true) => " (both excluded)",
                (true, false) => " (minimum excluded)",
                (false, true) => " (maximum excluded)",
                _ => string.Empty,
            };
            parts.Add($"{Number(r.Minimum)} .. {Number(r.Maximum)}{exclusive}");
        }

        if (p.GetCustomAttribute<AllowedValuesAttribute>() is { } allowed) parts.Add(string.Join(" or ", allowed.Values.Select(v => Number(v!))));
        if (p.GetCustomAttribute<MinLengthAttribute>() is { } m) parts.Add($"at least {m.Length}");
        if (p.GetCustomAttribute<RequiredAttribute>() is not null) parts.Add("required");
        Type t = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
        if (t.IsEnum) parts.Add(string.Join(", ", Enum.GetNames(t)));
        if (Nullable.GetUnderlyingType(p.PropertyType) is not null || (!p.PropertyType.IsValueType && p.PropertyType == typeof(string))) parts.Add("or null");
        return string.Join("; ", parts);
    }

    private static string Number(object value) => value switch
    {
        double d when d == double.MaxValue => "double.MaxValue",
        double d when d == double.Epsilon => "double.Epsilon",
        int i when i == int.MaxValue => "int.MaxValue",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static string Format(object? value) => value switch
    {
        null => "null",
        string s => $"`\"{s}\"`",
        bool b => b ? "`true`" : "`false`",
        Enum e => $"`{e}`",
        IFormattable f => $"`{f.ToString(null, CultureInfo.InvariantCulture)}`",
        System.Collections.IEnumerable e => $"`[{string.Join(", ", e.Cast<object>())}]`",
        _ => $"`{value.GetType().Name}` defaults",
    };

    private static string TypeName(Type t)
    {
        if (Nullable.GetUnderlyingType(t) is { } inner) return TypeName(inner) + "?";
        if (t.IsGenericType) return $"{t.Name[..t.Name.IndexOf('`')]}<{string.Join(", ", t.GetGenericArguments().Select(TypeName))}>";
        return t == typeof(int) ? "int" : t == typeof(long) ? "long" : t == typeof(double) ? "double" : t == typeof(bool) ? "bool"
            : t == typeof(string) ? "string" : t == typeof(float) ? "float" : t.Name;
    }

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
