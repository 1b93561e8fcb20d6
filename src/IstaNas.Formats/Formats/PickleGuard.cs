using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using IstaNas.Data;

namespace IstaNas.Formats;

/// <summary>
/// Checks a pickle before anything is built from it: walks its opcodes (only their argument lengths, as Python's
/// <c>pickletools.genops</c> does) and refuses a truncated file, an opcode outside protocols 0–5, out-of-band buffers,
/// persistent ids, the extension registry, and every global that is not on the caller's list — naming the global.
/// A <c>STACK_GLOBAL</c> whose module and name are not strings written out in the pickle (or memoised copies of them)
/// is refused too, so the check cannot be talked past.
/// </summary>
internal static class PickleGuard
{
    /// <summary>Walks <paramref name="data"/> up to its STOP opcode; throws a <see cref="DataFormatException"/> naming <paramref name="file"/> on the first problem.</summary>
    public static void Check(byte[] data, string file, IReadOnlySet<string> allowedGlobals)
    {
        int pos = 0;
        var strings = new List<string>(); // the strings known to be on top of the stack, deepest first
        var memo = new Dictionary<int, string?>();

        DataFormatException Error(string problem, int at) => new(file, $"not a readable pickle: {problem} (at byte {at}).");

        ReadOnlySpan<byte> Take(long n)
        {
            if (n < 0 || n > data.Length - pos)
            {
                throw new DataFormatException(file,
                    $"the pickle is truncated: {n} more bytes are needed at byte {pos} but the file has {data.Length} bytes.");
            }

            var span = data.AsSpan(pos, (int)n);
            pos += (int)n;
            return span;
        }

        string Line()
        {
            int end = Array.IndexOf(data, (byte)'\n', pos);
            if (end < 0)
            {
                throw new DataFormatException(file, $"the pickle is truncated: a text argument at byte {pos} has no terminating newline.");
            }

            string s = Encoding.UTF8.GetString(data, pos, end - pos);
            pos = end + 1;
            return s;
        }

        void Global(string module, string name, int at)
        {
            if (!allowedGlobals.Contains(module + "." + name))
            {
                throw Error($"it refers to the Python object '{module}.{name}', which this reader does not load " +
                            "(it reads only numpy arrays, lists, dicts, numbers and strings)", at);
            }
        }

        long Length8(ReadOnlySpan<byte> bytes)
        {
            ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            return n > (ulong)data.Length ? data.Length + 1L : (long)n;
        }

        int MemoKey(string s, int at) =>
            int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int k) ? k : throw Error($"memo key '{s}' is not a number", at);

        void Memo(int key) => memo[key] = strings.Count > 0 ? strings[^1] : null;

        while (true)
        {
            if (pos >= data.Length)
            {
                throw new DataFormatException(file, $"the pickle is truncated: it ends at byte {pos} without a STOP opcode.");
            }

            int at = pos;
            byte op = data[pos++];
            string? pushed = null; // a string this opcode pushes
            bool transparent = false; // the opcode leaves the stack as it is
            switch (op)
            {
                case (byte)'.':
                    return;
                case 0x80: // PROTO
                    int protocol = Take(1)[0];
                    if (protocol > 5)
                    {
                        throw Error($"pickle protocol {protocol} is newer than 5", at);
                    }

                    transparent = true;
                    break;
                case 0x95: // FRAME
                    Take(8);
                    transparent = true;
                    break;
                case (byte)'(' or (byte)'0' or (byte)'1' or (byte)'2' or (byte)'N' or (byte)')' or (byte)']' or (byte)'}'
                    or (byte)'a' or (byte)'b' or (byte)'d' or (byte)'e' or (byte)'l' or (byte)'o' or (byte)'R' or (byte)'s' or (byte)'t' or (byte)'u'
                    or 0x81 or 0x85 or 0x86 or 0x87 or 0x88 or 0x89 or 0x8f or 0x90 or 0x91 or 0x92 or 0x98:
                    break;
                case (byte)'K':
                    Take(1);
                    break;
                case (byte)'M':
                    Take(2);
                    break;
                case (byte)'J':
                    Take(4);
                    break;
                case (byte)'G':
                    Take(8);
                    break;
                case (byte)'I' or (byte)'L' or (byte)'F' or (byte)'S' or (byte)'V':
                    Line();
                    break;
                case (byte)'U' or (byte)'C' or 0x8a:
                    Take(Take(1)[0]);
                    break;
                case 0x8c: // SHORT_BINUNICODE
                    pushed = Encoding.UTF8.GetString(Take(Take(1)[0]));
                    break;
                case (byte)'T' or 0x8b: // BINSTRING, LONG4 (signed lengths)
                    Take(BinaryPrimitives.ReadInt32LittleEndian(Take(4)));
                    break;
                case (byte)'B': // BINBYTES
                    Take(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)));
                    break;
                case (byte)'X': // BINUNICODE
                    pushed = Encoding.UTF8.GetString(Take(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))));
                    break;
                case 0x8d: // BINUNICODE8
                    pushed = Encoding.UTF8.GetString(Take(Length8(Take(8))));
                    break;
                case 0x8e or 0x96: // BINBYTES8, BYTEARRAY8
                    Take(Length8(Take(8)));
                    break;
                case (byte)'p': // PUT
                    Memo(MemoKey(Line(), at));
                    transparent = true;
                    break;
                case (byte)'q': // BINPUT
                    Memo(Take(1)[0]);
                    transparent = true;
                    break;
                case (byte)'r': // LONG_BINPUT
                    Memo(BinaryPrimitives.ReadInt32LittleEndian(Take(4)));
                    transparent = true;
                    break;
                case 0x94: // MEMOIZE
                    Memo(memo.Count);
                    transparent = true;
                    break;
                case (byte)'g': // GET
                    pushed = memo.GetValueOrDefault(MemoKey(Line(), at));
                    break;
                case (byte)'h': // BINGET
                    pushed = memo.GetValueOrDefault(Take(1)[0]);
                    break;
                case (byte)'j': // LONG_BINGET
                    pushed = memo.GetValueOrDefault(BinaryPrimitives.ReadInt32LittleEndian(Take(4)));
                    break;
                case (byte)'c': // GLOBAL
                case (byte)'i': // INST
                    {
                        string module = Line(), name = Line();
                        Global(module, name, at);
                        break;
                    }

                case 0x93: // STACK_GLOBAL
                    if (strings.Count < 2)
                    {
                        throw Error("STACK_GLOBAL names a Python object by strings that are not written out in the pickle", at);
                    }

                    Global(strings[^2], strings[^1], at);
                    break;
                case (byte)'P' or (byte)'Q':
                    throw Error("it holds a persistent id, which this reader does not load", at);
                case 0x82 or 0x83 or 0x84:
                    throw Error("it refers to Python's extension registry (EXT opcodes), which this reader does not load", at);
                case 0x97:
                    throw Error("it refers to an out-of-band buffer, which this reader does not load", at);
                default:
                    throw Error($"opcode 0x{op:X2} ('{(op is >= 0x20 and < 0x7F ? (char)op : '?')}') is not a pickle opcode", at);
            }

            if (pushed is not null)
            {
                strings.Add(pushed);
            }
            else if (!transparent)
            {
                strings.Clear();
            }
        }
    }
}
