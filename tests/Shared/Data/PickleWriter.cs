using System.Buffers.Binary;
using System.Text;

namespace IstaNas.Tests.Data;

/// <summary>
/// Writes pickles the way the CIFAR "python version" files were written (Python 2 cPickle, protocol 2: SHORT_BINSTRING
/// keys, BINSTRING data, numpy's <c>_reconstruct</c> + BUILD, BINPUT memo) and, for robustness checks, the way Python 3
/// writes them at protocols 3 and 4 (BINUNICODE keys, BINBYTES data, FRAME, MEMOIZE, STACK_GLOBAL). Python is not
/// needed: the opcodes are written directly. (When this was written, the output of every variant, including a
/// 1200-image batch that needs LONG_BINPUT, was loaded with Python's own <c>pickle.load(f, encoding="bytes")</c> and a
/// stand-in numpy module, and gave the intended dicts, arrays and lists.)
/// </summary>
internal sealed class PickleWriter
{
    private readonly MemoryStream _out = new();
    private readonly int _protocol;
    private int _memo;

    private PickleWriter(int protocol) => _protocol = protocol;

    /// <summary>A CIFAR batch: {data: uint8 array (n, 3072), labelKey: [labels], batch_label, filenames}.</summary>
    public static byte[] CifarBatch(byte[] pixels, IReadOnlyList<IReadOnlyList<long>> labelLists, IReadOnlyList<string> labelKeys, int protocol = 2,
        string dtype = "u1", int columns = 3072)
    {
        int n = pixels.Length / columns;
        var w = new PickleWriter(protocol);
        w.Header();
        w.Op(0x7D).Put(); // EMPTY_DICT
        w.Op('(');
        w.Str("data");
        w.Array(pixels, n, columns, dtype);
        for (int k = 0; k < labelKeys.Count; k++)
        {
            w.Str(labelKeys[k]);
            w.List(labelLists[k], w.Int);
        }

        w.Str("batch_label");
        w.Str("training batch 1 of 5");
        w.Str("filenames");
        w.List(Enumerable.Range(0, n).Select(i => $"image_{i:D5}.png").ToArray(), w.Str);
        w.Op('u'); // SETITEMS
        w.Op('.');
        return w._out.ToArray();
    }

    /// <summary>A meta file, {key: [names], num_vis: 3072}, in protocol 0 (text) as cPickle's default wrote it, or a binary protocol.</summary>
    public static byte[] Meta(string key, IReadOnlyList<string> names, int protocol = 0)
    {
        if (protocol > 0)
        {
            var w = new PickleWriter(protocol);
            w.Header();
            w.Op(0x7D).Put();
            w.Op('(');
            w.Str(key);
            w.List(names, w.Str);
            w.Str("num_vis");
            w.Int(3072);
            w.Op('u');
            w.Op('.');
            return w._out.ToArray();
        }

        var text = new StringBuilder("(dp0\n");
        int memo = 1;
        text.Append("S'num_cases_per_batch'\np").Append(memo++).Append("\nI10000\ns");
        text.Append("S'").Append(key).Append("'\np").Append(memo++).Append('\n');
        text.Append("(lp").Append(memo++).Append('\n');
        foreach (string name in names)
        {
            text.Append("S'").Append(name.Replace("'", "\\'", StringComparison.Ordinal)).Append("'\np").Append(memo++).Append("\na");
        }

        text.Append("sS'num_vis'\np").Append(memo).Append("\nI3072\ns.");
        return Encoding.Latin1.GetBytes(text.ToString());
    }

    /// <summary>A pickle that would call os.system when loaded by Python.</summary>
    public static byte[] Malicious() =>
        [0x80, 0x02, .. "cos\nsystem\n"u8, (byte)'q', 0, (byte)'U', 4, .. "echo"u8, 0x85, (byte)'R', (byte)'.'];

    /// <summary>
    /// A pickle that, loaded by Python, calls <c>module.name(argument)</c>: GLOBAL + REDUCE at protocol 2, as Python 2 writes it,
    /// or STACK_GLOBAL + REDUCE at protocol 4, as Python 3 does.
    /// </summary>
    public static byte[] Call(string module, string name, string argument, int protocol)
    {
        var w = new PickleWriter(protocol);
        w.Header();
        w.Global(module, name);
        if (protocol >= 4)
        {
            w.Str(argument);
        }
        else
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(argument);
            w.Op('X');
            w.Length32(utf8.Length);
            w._out.Write(utf8);
            w.Put();
        }

        w.Op(0x85); // TUPLE1
        w.Op('R');
        w.Op('.');
        return w._out.ToArray();
    }

    private void Header()
    {
        Op(0x80);
        _out.WriteByte((byte)_protocol);
        if (_protocol >= 4)
        {
            // One frame around everything that follows (its length is patched at the end in a real pickle; readers
            // treat it as a hint, so any value is accepted here).
            Op(0x95);
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(b, 0);
            _out.Write(b);
        }
    }

    private PickleWriter Op(int op)
    {
        _out.WriteByte((byte)op);
        return this;
    }

    private void Put()
    {
        if (_protocol >= 4)
        {
            Op(0x94); // MEMOIZE
        }
        else if (_memo < 256)
        {
            Op('q');
            _out.WriteByte((byte)_memo);
        }
        else
        {
            Op('r');
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, _memo);
            _out.Write(b);
        }

        _memo++;
    }

    /// <summary>A text string: a Python 2 str (SHORT_BINSTRING/BINSTRING) at protocol 2, unicode above.</summary>
    private void Str(string s)
    {
        byte[] bytes = _protocol <= 2 ? Encoding.Latin1.GetBytes(s) : Encoding.UTF8.GetBytes(s);
        if (_protocol <= 2)
        {
            Sized(bytes, 'U', 'T');
        }
        else if (_protocol >= 4 && bytes.Length < 256)
        {
            Op(0x8C);
            _out.WriteByte((byte)bytes.Length);
            _out.Write(bytes);
        }
        else
        {
            Op('X');
            Length32(bytes.Length);
            _out.Write(bytes);
        }

        Put();
    }

    /// <summary>Raw bytes: a Python 2 str at protocol 2, bytes (SHORT_BINBYTES/BINBYTES) above.</summary>
    private void Bytes(byte[] bytes)
    {
        if (_protocol <= 2)
        {
            Sized(bytes, 'U', 'T');
        }
        else
        {
            Sized(bytes, 'C', 'B');
        }

        Put();
    }

    private void Sized(byte[] bytes, char shortOp, char longOp)
    {
        if (bytes.Length < 256)
        {
            Op(shortOp);
            _out.WriteByte((byte)bytes.Length);
        }
        else
        {
            Op(longOp);
            Length32(bytes.Length);
        }

        _out.Write(bytes);
    }

    private void Length32(int length)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, length);
        _out.Write(b);
    }

    private void Int(long v)
    {
        if (v is >= 0 and < 256)
        {
            Op('K');
            _out.WriteByte((byte)v);
        }
        else if (v is >= 0 and < 65536)
        {
            Op('M');
            Span<byte> b = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)v);
            _out.Write(b);
        }
        else
        {
            Op('J');
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, (int)v);
            _out.Write(b);
        }
    }

    private void Global(string module, string name)
    {
        if (_protocol >= 4)
        {
            Str(module);
            Str(name);
            Op(0x93); // STACK_GLOBAL
        }
        else
        {
            Op('c');
            _out.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
        }

        Put();
    }

    /// <summary>A list, appended in batches of 1000 (MARK … APPENDS) as pickle does.</summary>
    private void List<T>(IReadOnlyList<T> items, Action<T> write)
    {
        Op(']');
        Put();
        for (int start = 0; start < items.Count; start += 1000)
        {
            Op('(');
            for (int i = start; i < Math.Min(items.Count, start + 1000); i++)
            {
                write(items[i]);
            }

            Op('e');
        }
    }

    /// <summary>numpy.ndarray.__reduce_ex__(5): _frombuffer(bytearray in band, dtype, shape, 'C'), as numpy writes it at protocol 5.</summary>
    private void FromBuffer(byte[] raw, int rows, int columns, string dtype)
    {
        Global("numpy.core.numeric", "_frombuffer");
        Op('(');
        Op(0x96); // BYTEARRAY8
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, (ulong)raw.Length);
        _out.Write(b);
        _out.Write(raw);
        Put();
        DType(dtype);
        Int(rows);
        Int(columns);
        Op(0x86); // TUPLE2
        Put();
        Str("C");
        Op('t');
        Put();
        Op('R');
        Put();
    }

    /// <summary>numpy.dtype(name, False, True) with its BUILD state.</summary>
    private void DType(string dtype)
    {
        Global("numpy", "dtype");
        Str(dtype);
        Op(0x89);
        Op(0x88);
        Op(0x87);
        Op('R');
        Put();
        Op('(');
        Int(3);
        Str("|");
        Op('N').Op('N').Op('N');
        Int(-1);
        Int(-1);
        Int(0);
        Op('t');
        Op('b');
    }

    /// <summary>numpy.ndarray.__reduce__: _reconstruct(ndarray, (0,), b'b'), then BUILD with (1, shape, dtype, False, raw).</summary>
    private void Array(byte[] raw, int rows, int columns, string dtype)
    {
        if (_protocol >= 5)
        {
            FromBuffer(raw, rows, columns, dtype);
            return;
        }

        Global("numpy.core.multiarray", "_reconstruct");
        Global("numpy", "ndarray");
        Int(0);
        Op(0x85); // TUPLE1
        Bytes("b"u8.ToArray());
        Op(0x87); // TUPLE3
        Op('R');
        Put();
        Op('(');
        Int(1);
        Int(rows);
        Int(columns);
        Op(0x86); // TUPLE2
        Global("numpy", "dtype");
        Str(dtype);
        Int(0);
        Int(1);
        Op(0x87);
        Op('R');
        Put();
        Op('(');
        Int(3);
        Str("|");
        Op('N').Op('N').Op('N');
        Int(-1);
        Int(-1);
        Int(0);
        Op('t');
        Op('b');
        Op(0x89); // NEWFALSE
        Bytes(raw);
        Op('t');
        Op('b');
    }
}
