using System.Globalization;
using System.Text;

namespace IstaNas.Architecture;

/// <summary>
/// The genotype form that DARTS and the papers built on it print and keep in their <c>genotypes.py</c>:
/// <c>Genotype(normal=[('sep_conv_3x3', 0), ...], normal_concat=range(2, 6), reduce=[...], reduce_concat=range(2, 6))</c>.
/// </summary>
/// <remarks>
/// Accepted: the four fields as keyword arguments in any order or as positional arguments in the namedtuple's order
/// (normal, normal_concat, reduce, reduce_concat); concat lists as <c>range(a, b)</c>, <c>range(b)</c> or
/// <c>[2, 3, 4, 5]</c>; single or double quotes; any whitespace and newlines; trailing commas; an optional
/// <c>genotypes.</c> module prefix and <c>Genotype</c> name before the parenthesis, and an optional leading
/// assignment (<c>DARTS_V2 = </c>) as copied from a <c>genotypes.py</c> line. Everything else is a
/// <see cref="FormatException"/> that says where (line, column) and what was expected.
/// </remarks>
internal static class DartsGenotypeFormat
{
    private static readonly string[] Fields = ["normal", "normal_concat", "reduce", "reduce_concat"];

    /// <summary>Writes the DARTS form (concat lists of consecutive states as <c>range(a, b)</c>).</summary>
    public static string Format(Genotype genotype)
    {
        ArgumentNullException.ThrowIfNull(genotype);
        var sb = new StringBuilder("Genotype(");
        sb.Append("normal=").Append(Pairs(genotype.Normal));
        sb.Append(", normal_concat=").Append(Concat(genotype.NormalConcat));
        sb.Append(", reduce=").Append(Pairs(genotype.Reduce));
        sb.Append(", reduce_concat=").Append(Concat(genotype.ReduceConcat));
        return sb.Append(')').ToString();
    }

    /// <summary>Parses the DARTS form.</summary>
    /// <param name="text">The text.</param>
    /// <param name="edgesPerNode">Pairs per node (the form does not record it; DARTS: 2).</param>
    /// <returns>The validated genotype.</returns>
    /// <exception cref="FormatException">The text is not of that form, or describes an invalid genotype.</exception>
    public static Genotype Parse(string text, int edgesPerNode)
    {
        ArgumentNullException.ThrowIfNull(text);
        var values = new Parser(text).Genotype();
        try
        {
            return new Genotype(values.Normal, values.Reduce, values.NormalConcat, values.ReduceConcat, edgesPerNode);
        }
        catch (ArgumentException ex)
        {
            throw new FormatException($"Invalid genotype: {ex.Message}", ex);
        }
    }

    private static string Pairs(IReadOnlyList<GenotypeEdge> edges) =>
        "[" + string.Join(", ", edges.Select(e => string.Create(CultureInfo.InvariantCulture, $"('{e.Operation}', {e.Input})"))) + "]";

    private static string Concat(IReadOnlyList<int> concat)
    {
        bool consecutive = concat.Count > 0 && concat.Select((c, i) => c == concat[0] + i).All(x => x);
        return consecutive
            ? string.Create(CultureInfo.InvariantCulture, $"range({concat[0]}, {concat[0] + concat.Count})")
            : "[" + string.Join(", ", concat.Select(c => c.ToString(CultureInfo.InvariantCulture))) + "]";
    }

    /// <summary>What the four fields parsed to.</summary>
    private sealed record Values(List<GenotypeEdge> Normal, List<int> NormalConcat, List<GenotypeEdge> Reduce, List<int> ReduceConcat);

    /// <summary>A recursive-descent parser over the text, reporting errors by line and column.</summary>
    private sealed class Parser(string text)
    {
        private int _pos;

        public Values Genotype()
        {
            SkipSpace();
            // Optional "NAME =" assignment, then optional "genotypes." and "Genotype" before the parenthesis.
            int start = _pos;
            string? first = TryIdentifier();
            if (first is not null)
            {
                SkipSpace();
                if (Peek() == '=')
                {
                    _pos++;
                    SkipSpace();
                    first = TryIdentifier();
                    SkipSpace();
                }

                if (first == "genotypes" && Peek() == '.')
                {
                    _pos++;
                    SkipSpace();
                    first = TryIdentifier();
                    SkipSpace();
                }

                if (first != "Genotype")
                {
                    _pos = start;
                    SkipSpace();
                    throw Error("expected 'Genotype(' (optionally after 'genotypes.' or 'NAME =')");
                }
            }

            Expect('(', "'(' to open the genotype's fields");
            var fields = new object?[Fields.Length];
            int positional = 0;
            bool keywordSeen = false;
            SkipSpace();
            while (Peek() != ')')
            {
                int fieldStart = _pos;
                int index;
                string? name = TryKeyword();
                if (name is not null)
                {
                    keywordSeen = true;
                    index = Array.IndexOf(Fields, name);
                    if (index < 0)
                    {
                        _pos = fieldStart;
                        throw Error($"unknown field '{name}'; a genotype has {string.Join(", ", Fields)}");
                    }

                    if (fields[index] is not null)
                    {
                        _pos = fieldStart;
                        throw Error($"field '{name}' is given twice");
                    }
                }
                else
                {
                    if (keywordSeen) throw Error("a positional field after a keyword field");
                    if (positional >= Fields.Length) throw Error($"more than {Fields.Length} fields");
                    index = positional++;
                }

                SkipSpace();
                fields[index] = index % 2 == 0 ? PairList() : ConcatList();
                SkipSpace();
                if (Peek() == ',')
                {
                    _pos++;
                    SkipSpace();
                }
                else if (Peek() != ')')
                {
                    throw Error("expected ',' or ')' after a field");
                }
            }

            _pos++;
            SkipSpace();
            if (Peek() == ';') _pos++;
            SkipSpace();
            if (_pos < text.Length) throw Error("unexpected text after the closing ')'");
            for (int i = 0; i < Fields.Length; i++)
            {
                if (fields[i] is null) throw Error($"field '{Fields[i]}' is missing");
            }

            return new Values((List<GenotypeEdge>)fields[0]!, (List<int>)fields[1]!, (List<GenotypeEdge>)fields[2]!, (List<int>)fields[3]!);
        }

        /// <summary><c>[('op', input), ...]</c>.</summary>
        private List<GenotypeEdge> PairList()
        {
            Expect('[', "'[' to open a list of (operation, input) pairs");
            var pairs = new List<GenotypeEdge>();
            SkipSpace();
            while (Peek() != ']')
            {
                Expect('(', "'(' to open an (operation, input) pair");
                SkipSpace();
                string op = QuotedString();
                SkipSpace();
                Expect(',', "',' between the operation and its input");
                SkipSpace();
                int input = Integer("the input (predecessor) index");
                SkipSpace();
                if (Peek() == ',')
                {
                    _pos++;
                    SkipSpace();
                }

                Expect(')', "')' to close the (operation, input) pair");
                pairs.Add(new GenotypeEdge(op, input));
                ListSeparator(']');
            }

            _pos++;
            return pairs;
        }

        /// <summary><c>range(a, b)</c>, <c>range(b)</c> or <c>[2, 3, ...]</c>.</summary>
        private List<int> ConcatList()
        {
            if (Peek() == '[')
            {
                _pos++;
                var list = new List<int>();
                SkipSpace();
                while (Peek() != ']')
                {
                    if (list.Count == IstaNas.Architecture.Genotype.MaxNodes + 2)
                        throw Error($"the concat list lists more than {IstaNas.Architecture.Genotype.MaxNodes + 2} states, the most a cell has (two inputs and {IstaNas.Architecture.Genotype.MaxNodes} nodes)");
                    list.Add(Integer("a state index"));
                    ListSeparator(']');
                }

                _pos++;
                return list;
            }

            int start = _pos;
            if (TryIdentifier() != "range")
            {
                _pos = start;
                throw Error("expected a concat list: range(a, b) or [2, 3, ...]");
            }

            SkipSpace();
            Expect('(', "'(' after 'range'");
            SkipSpace();
            int from = Integer("the start of the range");
            SkipSpace();
            int to;
            if (Peek() == ',')
            {
                _pos++;
                SkipSpace();
                to = Integer("the end of the range");
                SkipSpace();
            }
            else
            {
                (from, to) = (0, from);
            }

            Expect(')', "')' to close the range");
            if (to <= from)
            {
                _pos = start;
                throw Error($"range({from}, {to}) is empty");
            }

            if ((long)to - from > IstaNas.Architecture.Genotype.MaxNodes + 2)
            {
                _pos = start;
                throw Error($"range({from}, {to}) lists {(long)to - from} states; a cell has at most {IstaNas.Architecture.Genotype.MaxNodes + 2} (two inputs and {IstaNas.Architecture.Genotype.MaxNodes} nodes)");
            }

            return Enumerable.Range(from, to - from).ToList();
        }

        private void ListSeparator(char close)
        {
            SkipSpace();
            if (Peek() == ',')
            {
                _pos++;
                SkipSpace();
            }
            else if (Peek() != close)
            {
                throw Error($"expected ',' or '{close}' in the list");
            }
        }

        private string QuotedString()
        {
            char quote = Peek();
            if (quote is not ('\'' or '"')) throw Error("expected a quoted operation name such as 'sep_conv_3x3'");
            int start = ++_pos;
            while (_pos < text.Length && text[_pos] != quote && text[_pos] != '\n') _pos++;
            if (Peek() != quote)
            {
                _pos = start - 1;
                throw Error("the operation name's quote is not closed");
            }

            return text[start..(_pos++)];
        }

        private int Integer(string what)
        {
            int start = _pos;
            while (_pos < text.Length && char.IsAsciiDigit(text[_pos])) _pos++;
            if (_pos == start) throw Error($"expected {what} (a non-negative integer)");
            if (!int.TryParse(text.AsSpan(start, _pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out int value))
            {
                _pos = start;
                throw Error($"{what} is too large");
            }

            return value;
        }

        /// <summary>An identifier followed by '=' (a keyword argument), or null (position unchanged).</summary>
        private string? TryKeyword()
        {
            int start = _pos;
            string? name = TryIdentifier();
            if (name is not null)
            {
                SkipSpace();
                if (Peek() == '=')
                {
                    _pos++;
                    return name;
                }
            }

            _pos = start;
            return null;
        }

        private string? TryIdentifier()
        {
            int start = _pos;
            if (_pos < text.Length && (char.IsAsciiLetter(text[_pos]) || text[_pos] == '_'))
            {
                while (_pos < text.Length && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] == '_')) _pos++;
            }

            return _pos == start ? null : text[start.._pos];
        }

        private void Expect(char c, string what)
        {
            if (Peek() != c) throw Error($"expected {what}");
            _pos++;
        }

        private char Peek() => _pos < text.Length ? text[_pos] : '\0';

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
        }

        private FormatException Error(string problem)
        {
            int line = 1, column = 1;
            for (int i = 0; i < _pos && i < text.Length; i++)
            {
                if (text[i] == '\n')
                {
                    line++;
                    column = 1;
                }
                else
                {
                    column++;
                }
            }

            string found = _pos >= text.Length ? "the end of the text" : $"'{Snippet()}'";
            return new FormatException($"Not a DARTS genotype string: line {line}, column {column}: {problem}; found {found}.");
        }

        private string Snippet()
        {
            int end = Math.Min(text.Length, _pos + 20);
            int newline = text.IndexOf('\n', _pos, end - _pos);
            string s = text[_pos..(newline >= 0 ? newline : end)].TrimEnd();
            return s.Length == 0 ? text[_pos].ToString() : s + (end < text.Length && newline < 0 ? "..." : "");
        }
    }
}
