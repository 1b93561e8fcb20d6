using System.Reflection;
using System.Text.RegularExpressions;

namespace IstaNas.Tests.Docs;

/// <summary>
/// Reads the table "Where each step of the paper lives" of docs/concepts.md and checks its names: every
/// `IstaNas.Namespace.Type.Method` (nested types allowed: `IstaNas.Namespace.Type.Nested.Method`) must name a type of the
/// IstaNas assemblies and a method declared on it (any visibility), and one of the row's files must exist and declare
/// both the type and the method.
/// </summary>
public static partial class PaperMap
{
    /// <summary>The heading the table sits under.</summary>
    public const string Heading = "## Where each step of the paper lives";

    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>The assemblies whose types the table may name.</summary>
    public static readonly Assembly[] Assemblies =
    [
        typeof(global::IstaNas.SearchBuilder).Assembly,
        typeof(global::IstaNas.Visualization.CellPicture).Assembly,
        typeof(global::Microsoft.Extensions.DependencyInjection.IstaNasServiceCollectionExtensions).Assembly,
    ];

    /// <summary>The column that says where each step is in the paper (see <see cref="ReferenceProblem"/>).</summary>
    public const string ReferenceColumn = "Paper (section, eq.)";

    /// <summary>
    /// One row: the paper step, its "Paper (section, eq.)" cell, the names of its "Type and method" cell and the paths of
    /// its "File" cell.
    /// </summary>
    public sealed record Row(int Line, string Step, string Reference, IReadOnlyList<string> Names, IReadOnlyList<string> Files);

    /// <summary>The rows of the table under <see cref="Heading"/> in <paramref name="markdown"/>.</summary>
    /// <exception cref="FormatException">No such heading, no table under it, or a table without the expected columns.</exception>
    public static IReadOnlyList<Row> Parse(string markdown)
    {
        string[] lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        int at = Array.FindIndex(lines, l => l.TrimEnd() == Heading);
        if (at < 0) throw new FormatException($"No heading \"{Heading}\".");
        int start = Array.FindIndex(lines, at + 1, l => l.StartsWith('|') || l.StartsWith("## ", StringComparison.Ordinal));
        if (start < 0 || !lines[start].StartsWith('|')) throw new FormatException($"No table under \"{Heading}\".");
        string[] header = Cells(lines[start]);
        int names = Array.IndexOf(header, "Type and method"), files = Array.IndexOf(header, "File");
        int reference = Array.IndexOf(header, ReferenceColumn);
        if (names < 0 || files < 0 || reference < 0)
            throw new FormatException($"The table under \"{Heading}\" needs columns \"{ReferenceColumn}\", \"Type and method\" and \"File\"; it has {string.Join(", ", header)}.");
        var rows = new List<Row>();
        for (int i = start + 2; i < lines.Length && lines[i].StartsWith('|'); i++)
        {
            string[] cells = Cells(lines[i]);
            if (cells.Length != header.Length)
                throw new FormatException($"Line {i + 1} of the table has {cells.Length} cells, the header {header.Length}.");
            rows.Add(new Row(i + 1, cells[0], cells[reference], Code(cells[names]), Code(cells[files])));
        }
        return rows;
    }

    /// <summary>What is wrong with a row (a name that does not resolve, or no file that declares it), or null.</summary>
    /// <param name="row">The row.</param>
    /// <param name="repositoryRoot">Where the row's files are, relative to.</param>
    public static string? Problem(Row row, string repositoryRoot)
    {
        if (row.Names.Count == 0) return Describe(row, "names no type and method");
        foreach (string name in row.Names)
        {
            string? problem = Resolve(name, out Type? outer, out string? member);
            if (problem is not null) return Describe(row, $"`{name}`: {problem}");
            if (!row.Files.Any(f => Declares(Path.Combine(repositoryRoot, f), outer!.Name, member!)))
                return Describe(row, $"`{name}`: none of its files ({string.Join(", ", row.Files)}) exists and declares {outer!.Name} and {member}");
        }
        return null;
    }

    /// <summary>
    /// What is wrong with a row's paper reference, or null. The form: a paper (<c>ISTA-NAS</c> or <c>DARTS</c>) and one
    /// or more places in it separated by ", ": a section <c>§4</c> or <c>§3.2</c>, an equation <c>Eq. (9)</c>, an
    /// algorithm <c>Alg. 2</c>, or <c>method</c> (the paper's method section, its numbers not yet confirmed); or
    /// <c>code only: </c> and where the step is instead.
    /// </summary>
    /// <param name="row">The row.</param>
    public static string? ReferenceProblem(Row row) =>
        row.Reference.Length == 0 ? Describe(row, $"has no paper reference in \"{ReferenceColumn}\"")
        : Reference().IsMatch(row.Reference) ? null
        : Describe(row, $"paper reference \"{row.Reference}\" is not of the form \"ISTA-NAS Eq. (9)\", \"ISTA-NAS §4, Alg. 2\", \"DARTS method\" or \"code only: where\"");

    /// <summary>Resolves `IstaNas.Namespace.Type[.Nested].Method`; returns what does not resolve, or null.</summary>
    /// <param name="name">The dotted name.</param>
    /// <param name="outermost">The top-level type (the one a file declares).</param>
    /// <param name="member">The method's name.</param>
    public static string? Resolve(string name, out Type? outermost, out string? member)
    {
        outermost = null;
        member = null;
        string[] parts = name.Split('.');
        if (parts.Length < 3 || parts[0] != "IstaNas" || parts.Any(string.IsNullOrEmpty))
            return "not of the form IstaNas.Namespace.Type.Method";
        for (int k = parts.Length - 1; k >= 2; k--)
        {
            string typeName = string.Join('.', parts[..k]);
            Type? type = Assemblies.Select(a => a.GetType(typeName)).FirstOrDefault(t => t is not null);
            if (type is null) continue;
            outermost = type;
            foreach (string nested in parts[k..^1])
            {
                Type? inner = type.GetNestedType(nested, BindingFlags.Public | BindingFlags.NonPublic);
                if (inner is null) return $"type {type.FullName} has no nested type {nested}";
                type = inner;
            }
            member = parts[^1];
            string method = member;
            return type.GetMethods(Declared).Any(m => m.Name == method) ? null : $"type {type.FullName} declares no method {method}";
        }
        return $"no type {string.Join('.', parts[..^1])} in {string.Join(", ", Assemblies.Select(a => a.GetName().Name))}";
    }

    private static bool Declares(string path, string type, string member)
    {
        if (!File.Exists(path)) return false;
        string text = File.ReadAllText(path);
        return Regex.IsMatch(text, $@"\b(class|record|struct|interface)\s+{Regex.Escape(type)}\b")
            && Regex.IsMatch(text, $@"\b{Regex.Escape(member)}\s*(<[^>]*>)?\(");
    }

    private static string Describe(Row row, string what) => $"docs/concepts.md line {row.Line}, row \"{row.Step}\": {what}.";

    private static string[] Cells(string line) =>
        [.. UnescapedPipe().Split(line.Trim().Trim('|')).Select(c => c.Trim())];

    private static string[] Code(string cell) => [.. CodeSpan().Matches(cell).Select(m => m.Groups[1].Value)];

    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex UnescapedPipe();

    [GeneratedRegex(@"^(?:(?:ISTA-NAS|DARTS) (?:§\d+(?:\.\d+)*|Eq\. \(\d+\)|Alg\. \d+|method)(?:, (?:§\d+(?:\.\d+)*|Eq\. \(\d+\)|Alg\. \d+))*|code only: \S.*)$")]
    private static partial Regex Reference();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex CodeSpan();
}
