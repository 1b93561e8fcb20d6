using System.Text;

namespace IstaNas.Spaces.Nb201;

/// <summary>Splits one CSV line (RFC 4180 quoting within the line: "a,b" and doubled quotes).</summary>
internal static class Nb201Csv
{
    public static List<string> Split(string line, string file, int lineNumber)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else quoted = false;
            }
            else if (c == '"' && field.Length == 0) quoted = true;
            else if (c == ',')
            {
                fields.Add(field.ToString().Trim());
                field.Clear();
            }
            else field.Append(c);
        }

        if (quoted) throw BenchmarkTable.Error(file, $"line {lineNumber}: a quoted field is not closed.");
        fields.Add(field.ToString().TrimEnd('\r').Trim());
        return fields;
    }
}
