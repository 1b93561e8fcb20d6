using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace IstaNas.OptionsReference;

/// <summary>The summaries of an assembly's XML documentation file, as Markdown text.</summary>
internal sealed partial class XmlDocs
{
    private readonly Dictionary<string, XElement> _members;

    private XmlDocs(Dictionary<string, XElement> members) => _members = members;

    /// <summary>Reads the XML documentation file next to the assembly.</summary>
    /// <exception cref="FileNotFoundException">The assembly was built without its documentation file.</exception>
    public static XmlDocs For(Assembly assembly)
    {
        string path = Path.ChangeExtension(assembly.Location, ".xml");
        if (!File.Exists(path)) throw new FileNotFoundException($"The XML documentation of {assembly.GetName().Name} is not next to it ({path}).", path);
        var members = XDocument.Load(path).Descendants("member")
            .Where(m => m.Attribute("name") is not null)
            .ToDictionary(m => m.Attribute("name")!.Value, m => m);
        return new XmlDocs(members);
    }

    /// <summary>The summary of a member (<c>T:Namespace.Type</c>, <c>P:Namespace.Type.Property</c>) as one line of Markdown.</summary>
    public string Summary(string id)
    {
        if (!_members.TryGetValue(id, out XElement? member) || member.Element("summary") is not XElement summary) return string.Empty;
        var sb = new StringBuilder();
        foreach (XNode node in summary.Nodes()) Append(sb, node);
        return Spaces().Replace(sb.ToString(), " ").Trim();
    }

    private static void Append(StringBuilder sb, XNode node)
    {
        switch (node)
        {
            case XText text:
                sb.Append(text.Value);
                break;
            case XElement { Name.LocalName: "see" or "seealso" } see:
                string? target = see.Attribute("cref")?.Value ?? see.Attribute("langword")?.Value ?? see.Attribute("href")?.Value;
                sb.Append('`').Append(see.Value.Length > 0 ? see.Value : ShortName(target ?? string.Empty)).Append('`');
                break;
            case XElement { Name.LocalName: "paramref" or "typeparamref" } reference:
                sb.Append('`').Append(reference.Attribute("name")?.Value).Append('`');
                break;
            case XElement { Name.LocalName: "c" or "code" } code:
                sb.Append('`').Append(code.Value).Append('`');
                break;
            case XElement element:
                sb.Append(' ');
                foreach (XNode child in element.Nodes()) Append(sb, child);
                sb.Append(' ');
                break;
        }
    }

    private static string ShortName(string cref)
    {
        string name = cref.Contains(':', StringComparison.Ordinal) ? cref[(cref.IndexOf(':') + 1)..] : cref;
        int paren = name.IndexOf('(');
        if (paren >= 0) name = name[..paren];
        return name[(name.LastIndexOf('.') + 1)..];
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
