using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace IstaNas.Data;

/// <summary>
/// A minimal, safe reader of Python pickles, enough for the CIFAR "python version" files: dicts, lists, tuples, ints,
/// floats, None/bools, byte and text strings, and numpy arrays (<c>numpy.core.multiarray._reconstruct</c> plus
/// <c>__setstate__</c>, with <c>numpy.dtype</c>). It never runs code: the only globals it accepts are those few numpy
/// names (and <c>_codecs.encode</c>, which Python 3 uses to pickle bytes at protocol 2), each turned into a passive
/// value. Every read is bounds-checked, so a truncated or malicious file fails with a <see cref="DataFormatException"/>
/// naming the file and the byte offset. Protocols 0–5 (in-band data only).
/// <para>
/// Values: <c>None</c> → null, bool, int → <see cref="long"/> (or <see cref="BigInteger"/>), float → double,
/// Python 2 str and bytes → byte[], unicode → string, list → <see cref="List{T}"/>, tuple → object?[],
/// dict → <see cref="Dictionary{TKey, TValue}"/> keyed by string (byte keys are decoded as Latin-1, so b'data' and
/// 'data' are the same key), numpy array → <see cref="NumpyArray"/>.
/// </para>
/// </summary>
internal static class Pickle
{
    /// <summary>A pickled numpy array: its shape, dtype name (such as "u1") and raw bytes (C order).</summary>
    internal sealed class NumpyArray
    {
        public long[] Shape { get; set; } = [0];

        public string DType { get; set; } = "b";

        public bool Fortran { get; set; }

        public byte[]? Data { get; set; }
    }

    /// <summary>A numpy dtype under construction: its name ("u1", "f4", …) and byte order ('|', '&lt;', '&gt;').</summary>
    private sealed class NumpyDType(string name)
    {
        public string Name { get; } = name;

        public string Order { get; set; } = "|";
    }

    /// <summary>A global the reader accepts, as a passive marker.</summary>
    private sealed record Global(string Module, string Name);

    /// <summary>Reads one pickled value from <paramref name="data"/>; <paramref name="file"/> names the source in errors.</summary>
    public static object? Load(byte[] data, string file)
    {
        var stack = new List<object?>();
        var marks = new Stack<int>();
        var memo = new Dictionary<long, object?>();
        int pos = 0;

        DataFormatException Error(string problem) => new(file, $"not a readable pickle: {problem} (at byte {pos}).");

        ReadOnlySpan<byte> Take(int n)
        {
            if (n < 0 || pos > data.Length - n)
            {
                throw new DataFormatException(file,
                    $"the pickle is truncated: {n} more bytes are needed at byte {pos} but the file has {data.Length} bytes.");
            }

            var span = data.AsSpan(pos, n);
            pos += n;
            return span;
        }

        int Length(ulong n) => n > int.MaxValue ? throw new DataFormatException(file,
            $"the pickle is truncated: a value of {n} bytes starts at byte {pos} but the file has {data.Length} bytes.") : Length32((int)n);

        int Length32(int n)
        {
            if (n < 0 || n > data.Length - pos)
            {
                throw new DataFormatException(file,
                    $"the pickle is truncated: a value of {n} bytes starts at byte {pos} but the file has {data.Length} bytes.");
            }

            return (int)n;
        }

        string Line()
        {
            int end = Array.IndexOf(data, (byte)'\n', pos);
            if (end < 0)
            {
                throw Error("a text argument has no terminating newline");
            }

            string s = Encoding.Latin1.GetString(data, pos, end - pos);
            pos = end + 1;
            return s;
        }

        int Floor() => marks.Count > 0 ? marks.Peek() : 0;

        object? Pop()
        {
            if (stack.Count <= Floor())
            {
                throw Error("the stack is empty where a value is needed");
            }

            object? v = stack[^1];
            stack.RemoveAt(stack.Count - 1);
            return v;
        }

        object? Top()
        {
            if (stack.Count <= Floor())
            {
                throw Error("the stack is empty where a value is needed");
            }

            return stack[^1];
        }

        List<object?> PopMark()
        {
            if (marks.Count == 0)
            {
                throw Error("no mark on the stack");
            }

            int at = marks.Pop();
            var items = stack.GetRange(at, stack.Count - at);
            stack.RemoveRange(at, stack.Count - at);
            return items;
        }

        void Put(long key)
        {
            if (memo.Count > 10_000_000)
            {
                throw Error("too many memo entries");
            }

            memo[key] = Top();
        }

        object? Get(long key) => memo.TryGetValue(key, out object? v) ? v : throw Error($"memo key {key} is not defined");

        Dictionary<string, object?> AsDict(object? o) =>
            o as Dictionary<string, object?> ?? throw Error($"expected a dict, found {Describe(o)}");

        List<object?> AsList(object? o) =>
            o as List<object?> ?? throw Error($"expected a list, found {Describe(o)}");

        void SetItem(Dictionary<string, object?> dict, object? key, object? value) => dict[Key(key) ?? throw Error($"a dict key is {Describe(key)}, not a string")] = value;

        while (true)
        {
            if (pos >= data.Length)
            {
                throw new DataFormatException(file, $"the pickle is truncated: it ends at byte {pos} without a STOP opcode.");
            }

            int at = pos;
            byte op = data[pos++];
            switch (op)
            {
                case 0x80: // PROTO
                    int protocol = Take(1)[0];
                    if (protocol > 5)
                    {
                        throw Error($"pickle protocol {protocol} is newer than 5");
                    }

                    break;
                case 0x95: // FRAME
                    Take(8);
                    break;
                case (byte)'.': // STOP
                    if (stack.Count != 1 || marks.Count != 0)
                    {
                        throw Error($"STOP with {stack.Count} values on the stack");
                    }

                    return stack[0];
                case (byte)'(':
                    marks.Push(stack.Count);
                    break;
                case (byte)'}':
                    stack.Add(new Dictionary<string, object?>());
                    break;
                case (byte)'d':
                    {
                        var items = PopMark();
                        if (items.Count % 2 != 0)
                        {
                            throw Error("DICT with an odd number of items");
                        }

                        var dict = new Dictionary<string, object?>();
                        for (int i = 0; i < items.Count; i += 2)
                        {
                            SetItem(dict, items[i], items[i + 1]);
                        }

                        stack.Add(dict);
                        break;
                    }

                case (byte)']':
                    stack.Add(new List<object?>());
                    break;
                case (byte)'l':
                    stack.Add(PopMark());
                    break;
                case (byte)')':
                    stack.Add(Array.Empty<object?>());
                    break;
                case (byte)'t':
                    stack.Add(PopMark().ToArray());
                    break;
                case 0x85:
                    stack.Add(new[] { Pop() });
                    break;
                case 0x86:
                    {
                        object? b = Pop(), a = Pop();
                        stack.Add(new[] { a, b });
                        break;
                    }

                case 0x87:
                    {
                        object? c = Pop(), b = Pop(), a = Pop();
                        stack.Add(new[] { a, b, c });
                        break;
                    }

                case (byte)'a':
                    {
                        object? v = Pop();
                        AsList(Top()).Add(v);
                        break;
                    }

                case (byte)'e':
                    {
                        var items = PopMark();
                        AsList(Top()).AddRange(items);
                        break;
                    }

                case (byte)'s':
                    {
                        object? v = Pop(), k = Pop();
                        SetItem(AsDict(Top()), k, v);
                        break;
                    }

                case (byte)'u':
                    {
                        var items = PopMark();
                        if (items.Count % 2 != 0)
                        {
                            throw Error("SETITEMS with an odd number of items");
                        }

                        var dict = AsDict(Top());
                        for (int i = 0; i < items.Count; i += 2)
                        {
                            SetItem(dict, items[i], items[i + 1]);
                        }

                        break;
                    }

                case (byte)'N':
                    stack.Add(null);
                    break;
                case 0x88:
                    stack.Add(true);
                    break;
                case 0x89:
                    stack.Add(false);
                    break;
                case (byte)'J':
                    stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4)));
                    break;
                case (byte)'K':
                    stack.Add((long)Take(1)[0]);
                    break;
                case (byte)'M':
                    stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2)));
                    break;
                case (byte)'I':
                    {
                        string s = Line();
                        stack.Add(s switch
                        {
                            "01" => true,
                            "00" => false,
                            _ => long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v) ? v : throw Error($"INT '{s}' is not an integer"),
                        });
                        break;
                    }

                case (byte)'L':
                    {
                        string s = Line().TrimEnd('L');
                        stack.Add(BigInteger.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out BigInteger v)
                            ? Narrow(v)
                            : throw Error($"LONG '{s}' is not an integer"));
                        break;
                    }

                case 0x8a: // LONG1
                    stack.Add(Narrow(new BigInteger(Take(Take(1)[0]), isUnsigned: false, isBigEndian: false)));
                    break;
                case 0x8b: // LONG4
                    {
                        int n = BinaryPrimitives.ReadInt32LittleEndian(Take(4));
                        stack.Add(Narrow(new BigInteger(Take(Length32(n)), isUnsigned: false, isBigEndian: false)));
                        break;
                    }

                case (byte)'G':
                    stack.Add(BinaryPrimitives.ReadDoubleBigEndian(Take(8)));
                    break;
                case (byte)'F':
                    {
                        string s = Line();
                        stack.Add(double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : throw Error($"FLOAT '{s}' is not a number"));
                        break;
                    }

                case (byte)'U': // SHORT_BINSTRING (Python 2 str)
                case (byte)'C': // SHORT_BINBYTES
                    stack.Add(Take(Take(1)[0]).ToArray());
                    break;
                case (byte)'T': // BINSTRING (Python 2 str)
                case (byte)'B': // BINBYTES
                    stack.Add(Take(Length(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))).ToArray());
                    break;
                case 0x8e: // BINBYTES8
                case 0x96: // BYTEARRAY8
                    stack.Add(Take(Length(BinaryPrimitives.ReadUInt64LittleEndian(Take(8)))).ToArray());
                    break;
                case (byte)'S': // STRING: a quoted Python 2 repr
                    stack.Add(Unquote(Line(), Error));
                    break;
                case (byte)'X': // BINUNICODE
                    stack.Add(Encoding.UTF8.GetString(Take(Length(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))))));
                    break;
                case 0x8c: // SHORT_BINUNICODE
                    stack.Add(Encoding.UTF8.GetString(Take(Take(1)[0])));
                    break;
                case 0x8d: // BINUNICODE8
                    stack.Add(Encoding.UTF8.GetString(Take(Length(BinaryPrimitives.ReadUInt64LittleEndian(Take(8))))));
                    break;
                case (byte)'V': // UNICODE (raw-unicode-escape)
                    stack.Add(RawUnicodeEscape(Line()));
                    break;
                case (byte)'p':
                    Put(ParseKey(Line(), Error));
                    break;
                case (byte)'q':
                    Put(Take(1)[0]);
                    break;
                case (byte)'r':
                    Put(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)));
                    break;
                case 0x94: // MEMOIZE
                    Put(memo.Count);
                    break;
                case (byte)'g':
                    stack.Add(Get(ParseKey(Line(), Error)));
                    break;
                case (byte)'h':
                    stack.Add(Get(Take(1)[0]));
                    break;
                case (byte)'j':
                    stack.Add(Get(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))));
                    break;
                case (byte)'c': // GLOBAL
                    {
                        string module = Line(), name = Line();
                        stack.Add(Resolve(module, name, Error));
                        break;
                    }

                case 0x93: // STACK_GLOBAL
                    {
                        object? name = Pop(), module = Pop();
                        if (name is not string n || module is not string m)
                        {
                            throw Error("STACK_GLOBAL needs two strings");
                        }

                        stack.Add(Resolve(m, n, Error));
                        break;
                    }

                case (byte)'R': // REDUCE
                    {
                        object? args = Pop(), callable = Pop();
                        stack.Add(Reduce(callable, args as object?[] ?? throw Error("REDUCE arguments are not a tuple"), Error));
                        break;
                    }

                case (byte)'b': // BUILD
                    {
                        object? state = Pop();
                        Build(Top(), state, Error);
                        break;
                    }

                case (byte)'0':
                    Pop();
                    break;
                case (byte)'1':
                    PopMark();
                    break;
                case (byte)'2':
                    stack.Add(Top());
                    break;
                default:
                    pos = at;
                    throw Error($"opcode 0x{op:X2} ('{(op is >= 0x20 and < 0x7F ? (char)op : '?')}') is not supported by this reader");
            }

            if (stack.Count > 1_000_000 || marks.Count > 100_000)
            {
                throw Error("the pickle nests too deeply");
            }
        }
    }

    /// <summary>The dict key of a pickled string (bytes decoded as Latin-1), or null when it is not a string.</summary>
    public static string? Key(object? value) => value switch
    {
        string s => s,
        byte[] b => Encoding.Latin1.GetString(b),
        _ => null,
    };

    /// <summary>A short description of a value's type, for error messages.</summary>
    public static string Describe(object? value) => value switch
    {
        null => "None",
        bool => "a bool",
        long or BigInteger => "an int",
        double => "a float",
        byte[] b => $"a byte string of {b.Length} bytes",
        string => "a text string",
        List<object?> l => $"a list of {l.Count} items",
        object?[] t => $"a tuple of {t.Length} items",
        Dictionary<string, object?> => "a dict",
        NumpyArray a => $"a numpy array of shape ({string.Join(", ", a.Shape)}) and dtype {a.DType}",
        _ => value.GetType().Name,
    };

    private static object Narrow(BigInteger v) => v >= long.MinValue && v <= long.MaxValue ? (long)v : v;

    private static long ParseKey(string s, Func<string, DataFormatException> error) =>
        long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long k) ? k : throw error($"memo key '{s}' is not a number");

    private static Global Resolve(string module, string name, Func<string, DataFormatException> error) => (module, name) switch
    {
        ("numpy.core.multiarray" or "numpy._core.multiarray", "_reconstruct") => new Global("numpy", "_reconstruct"),
        ("numpy", "ndarray") => new Global("numpy", "ndarray"),
        ("numpy", "dtype") => new Global("numpy", "dtype"),
        ("_codecs", "encode") => new Global("_codecs", "encode"),
        _ => throw error($"it refers to the Python object '{module}.{name}', which this reader does not load " +
                         "(it reads only numpy arrays, lists, dicts, numbers and strings)"),
    };

    private static object Reduce(object? callable, object?[] args, Func<string, DataFormatException> error)
    {
        switch (callable)
        {
            case Global { Name: "_reconstruct" }:
                if (args.Length != 3 || args[0] is not Global { Name: "ndarray" })
                {
                    throw error("numpy _reconstruct is called with unexpected arguments");
                }

                return new NumpyArray();
            case Global { Name: "dtype" }:
                if (args.Length < 1 || Key(args[0]) is not string dtype)
                {
                    throw error("numpy.dtype is called with unexpected arguments");
                }

                return new NumpyDType(dtype);
            case Global { Module: "_codecs", Name: "encode" }:
                if (args.Length != 2 || args[0] is not string text || Key(args[1]) is not ("latin1" or "latin-1"))
                {
                    throw error("_codecs.encode is called with unexpected arguments");
                }

                return Encoding.Latin1.GetBytes(text);
            default:
                throw error($"REDUCE of {Describe(callable)} is not supported");
        }
    }

    private static void Build(object? target, object? state, Func<string, DataFormatException> error)
    {
        switch (target)
        {
            case NumpyDType dtype:
                // (version, byteorder, subarray, names, fields, elsize, alignment, flags)
                if (state is object?[] { Length: >= 2 } dt && Key(dt[1]) is string order)
                {
                    dtype.Order = order;
                    return;
                }

                throw error("the numpy dtype state is not understood");
            case NumpyArray array:
                // (version, shape, dtype, is_fortran, rawdata) or, before numpy 1.x versioning, without the version.
                if (state is not object?[] s)
                {
                    throw error("the numpy array state is not a tuple");
                }

                if (s.Length == 5)
                {
                    s = s[1..];
                }

                if (s.Length != 4 || s[0] is not object?[] shape || s[1] is not NumpyDType type || s[2] is not bool fortran)
                {
                    throw error("the numpy array state is not (shape, dtype, is_fortran, data)");
                }

                array.Shape = shape.Select(d => d is long l && l >= 0 ? l : throw error("a numpy array dimension is not a non-negative integer")).ToArray();
                array.DType = type.Name;
                array.Fortran = fortran;
                array.Data = s[3] switch
                {
                    byte[] bytes => bytes,
                    string text => Encoding.Latin1.GetBytes(text),
                    _ => throw error($"the numpy array data is {Describe(s[3])}, not raw bytes (object arrays are not supported)"),
                };
                return;
            default:
                throw error($"BUILD on {Describe(target)} is not supported");
        }
    }

    /// <summary>Decodes a protocol-0 STRING argument: a Python 2 repr in single or double quotes.</summary>
    private static byte[] Unquote(string repr, Func<string, DataFormatException> error)
    {
        if (repr.Length < 2 || repr[0] != repr[^1] || repr[0] is not ('\'' or '"'))
        {
            throw error("a STRING argument is not quoted");
        }

        var bytes = new List<byte>(repr.Length);
        string body = repr[1..^1];
        for (int i = 0; i < body.Length; i++)
        {
            char ch = body[i];
            if (ch != '\\')
            {
                bytes.Add((byte)ch);
                continue;
            }

            if (++i >= body.Length)
            {
                throw error("a STRING argument ends with a backslash");
            }

            char e = body[i];
            switch (e)
            {
                case 'n': bytes.Add((byte)'\n'); break;
                case 't': bytes.Add((byte)'\t'); break;
                case 'r': bytes.Add((byte)'\r'); break;
                case '0' when i + 1 >= body.Length || !char.IsAsciiDigit(body[i + 1]): bytes.Add(0); break;
                case 'x' when IsHex(body, i + 1, 2):
                    bytes.Add(byte.Parse(body.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 2;
                    break;
                case >= '0' and <= '7':
                    {
                        int n = 0, len = 0;
                        while (len < 3 && i + len < body.Length && body[i + len] is >= '0' and <= '7')
                        {
                            n = n * 8 + (body[i + len] - '0');
                            len++;
                        }

                        bytes.Add((byte)n);
                        i += len - 1;
                        break;
                    }

                default: bytes.Add((byte)e); break;
            }
        }

        return bytes.ToArray();
    }

    private static bool IsHex(string s, int start, int count)
    {
        if (start + count > s.Length)
        {
            return false;
        }

        for (int i = start; i < start + count; i++)
        {
            if (!char.IsAsciiHexDigit(s[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static string RawUnicodeEscape(string s)
    {
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 1 < s.Length && s[i + 1] == 'u' && IsHex(s, i + 2, 4))
            {
                sb.Append((char)int.Parse(s.AsSpan(i + 2, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 5;
            }
            else
            {
                sb.Append(s[i]);
            }
        }

        return sb.ToString();
    }
}
