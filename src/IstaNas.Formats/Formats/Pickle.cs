using System.Collections;
using System.Numerics;
using System.Text;
using IstaNas.Data;
using Razorvine.Pickle;
using Razorvine.Pickle.Objects;

namespace IstaNas.Formats;

/// <summary>
/// Reads the Python pickles of the CIFAR "python version" files with Razorvine.Pickle, which never runs Python code.
/// <see cref="PickleGuard"/> checks the file first and refuses every global but the numpy names a pickled uint8 array
/// needs (<c>numpy.core.multiarray._reconstruct</c> with <c>numpy.ndarray</c> up to protocol 4,
/// <c>numpy.core.numeric._frombuffer</c> at protocol 5, numpy 2's <c>numpy._core</c> spellings of both, <c>numpy.dtype</c>)
/// and <c>_codecs.encode</c> (how Python 3 pickles bytes at protocol 2).
/// The numpy names become passive <see cref="NumpyArray"/> values.
/// <para>
/// Values: <c>None</c> → null, bool, int → <see cref="long"/> (or <see cref="BigInteger"/>), float → double,
/// Python 2 str and unicode → string, bytes → byte[], list → <see cref="List{T}"/>, tuple → object?[],
/// dict → <see cref="Dictionary{TKey, TValue}"/> keyed by string (byte keys are decoded as Latin-1, so b'data' and
/// 'data' are the same key), numpy array → <see cref="NumpyArray"/>.
/// </para>
/// <para>
/// Razorvine keeps its constructors in one process-wide table; the numpy entries this reader adds act only while this
/// reader runs on the calling thread and otherwise defer to what was there before (by default, Razorvine's own answer),
/// so other users of Razorvine in the process see no change.
/// </para>
/// </summary>
internal static class Pickle
{
    /// <summary>The globals a CIFAR pickle may name.</summary>
    internal static readonly IReadOnlySet<string> AllowedGlobals = new HashSet<string>(StringComparer.Ordinal)
    {
        "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct", "numpy.ndarray",
        "numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer", "numpy.dtype", "_codecs.encode",
    };

    /// <summary>How deeply lists, tuples and dicts may nest (CIFAR needs 3).</summary>
    private const int MaxDepth = 64;

    /// <summary>The file being read by this thread, while it is read (the numpy constructors act only then).</summary>
    [ThreadStatic]
    private static string? t_reading;

    /// <summary>Reads one pickled value from <paramref name="data"/>; <paramref name="file"/> names the source in errors.</summary>
    public static object? Load(byte[] data, string file)
    {
        PickleGuard.Check(data, file, AllowedGlobals);
        NumpyUnpickler.Install();
        object? value;
        t_reading = file;
        try
        {
            using var unpickler = new NumpyUnpickler();
            value = unpickler.loads(data);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            for (Exception? e = ex; e is not null; e = e.InnerException)
            {
                if (e is DataFormatException known)
                {
                    throw new DataFormatException(file, known.Problem);
                }
            }

            throw new DataFormatException(file, $"not a readable pickle: {ex.Message}");
        }
        finally
        {
            t_reading = null;
        }

        return Normalize(value, file, 0);
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
        int or long or BigInteger => "an int",
        double => "a float",
        byte[] b => $"a byte string of {b.Length} bytes",
        string => "a text string",
        List<object?> or ArrayList => $"a list of {((ICollection)value).Count} items",
        object?[] t => $"a tuple of {t.Length} items",
        ClassDict c => $"an instance of the Python class '{c.ClassName}'",
        Dictionary<string, object?> or Hashtable => "a dict",
        NumpyArray a => $"a numpy array of shape ({string.Join(", ", a.Shape)}) and dtype {a.DType}",
        NumpyDType d => $"the numpy dtype {d.Name}",
        ClassDictConstructor c => $"the Python object '{c.module}.{c.name}'",
        _ => value.GetType().Name,
    };

    /// <summary>Turns Razorvine's values into the ones listed in the summary, refusing anything else.</summary>
    private static object? Normalize(object? value, string file, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new DataFormatException(file, $"not a readable pickle: its lists, tuples and dicts nest deeper than {MaxDepth} levels.");
        }

        switch (value)
        {
            case null or bool or long or double or string or byte[] or NumpyArray:
                return value;
            case int i:
                return (long)i;
            case BigInteger b:
                return b >= long.MinValue && b <= long.MaxValue ? (long)b : b;
            case ArrayList list:
                {
                    var result = new List<object?>(list.Count);
                    foreach (object? item in list)
                    {
                        result.Add(Normalize(item, file, depth + 1));
                    }

                    return result;
                }

            case object?[] tuple:
                return tuple.Select(item => Normalize(item, file, depth + 1)).ToArray();
            case Hashtable dict:
                {
                    var result = new Dictionary<string, object?>(dict.Count);
                    foreach (DictionaryEntry entry in dict)
                    {
                        string key = Key(entry.Key) ?? throw new DataFormatException(file, $"not a readable pickle: a dict key is {Describe(entry.Key)}, not a string.");
                        result[key] = Normalize(entry.Value, file, depth + 1);
                    }

                    return result;
                }

            default:
                throw new DataFormatException(file, $"the pickle holds {Describe(value)}, which this reader does not load (it reads only numpy arrays, lists, dicts, numbers and strings).");
        }
    }

    private static DataFormatException Problem(string problem) => new(t_reading ?? "(pickle)", $"not a readable pickle: {problem}.");

    private static long Dimension(object? d) => d switch
    {
        int i when i >= 0 => i,
        long l when l >= 0 => l,
        _ => throw Problem("a numpy array dimension is not a non-negative integer"),
    };

    /// <summary>A pickled numpy array: its shape, dtype name (such as "u1") and raw bytes (C order).</summary>
    internal sealed class NumpyArray
    {
        public long[] Shape { get; set; } = [0];

        public string DType { get; set; } = "b";

        public bool Fortran { get; set; }

        public byte[]? Data { get; set; }

        /// <summary>numpy's <c>ndarray.__setstate__</c>: (version, shape, dtype, is_fortran, rawdata), or the same without the version.</summary>
        /// <param name="state">The state tuple.</param>
        public void __setstate__(object[] state)
        {
            object?[] s = state.Length == 5 ? state[1..] : state;
            if (s.Length != 4 || s[0] is not object?[] shape || s[1] is not NumpyDType type || s[2] is not bool fortran)
            {
                throw Problem("the numpy array state is not (shape, dtype, is_fortran, data)");
            }

            Shape = shape.Select(Dimension).ToArray();
            DType = type.Name;
            Fortran = fortran;
            Data = s[3] switch
            {
                byte[] bytes => bytes,
                string text when text.All(c => c <= '\u00FF') => Encoding.Latin1.GetBytes(text),
                _ => throw Problem($"the numpy array data is {Describe(s[3])}, not raw bytes (object arrays are not supported)"),
            };
        }
    }

    /// <summary>A numpy dtype: its name ("u1", "f4", …) and byte order ('|', '&lt;', '&gt;').</summary>
    internal sealed class NumpyDType(string name)
    {
        public string Name { get; } = name;

        public string Order { get; private set; } = "|";

        /// <summary>numpy's <c>dtype.__setstate__</c>: (version, byteorder, subarray, names, fields, elsize, alignment, flags).</summary>
        /// <param name="state">The state tuple.</param>
        public void __setstate__(object[] state) =>
            Order = state is { Length: >= 2 } && Key(state[1]) is string order ? order : throw Problem("the numpy dtype state is not understood");
    }

    /// <summary>The unpickler, and the numpy constructors it adds to Razorvine's table.</summary>
    private sealed class NumpyUnpickler : Unpickler
    {
        private static readonly object Lock = new();

        /// <summary>Adds the numpy constructors to Razorvine's table, each in front of what was there (again, if someone replaced it since).</summary>
        public static void Install()
        {
            lock (Lock)
            {
                foreach (string core in new[] { "numpy.core", "numpy._core" })
                {
                    Add(core + ".multiarray", "_reconstruct", Reconstruct);
                    Add(core + ".numeric", "_frombuffer", FromBuffer);
                }

                Add("numpy", "dtype", DType);
            }
        }

        private static void Add(string module, string name, Func<object[], object> construct)
        {
            string key = module + "." + name;
            objectConstructors.TryGetValue(key, out IObjectConstructor? previous);
            if (previous is not Gate)
            {
                registerConstructor(module, name, new Gate(module, name, previous, construct));
            }
        }

        /// <summary><c>_reconstruct(numpy.ndarray, (0,), b'b')</c>: an empty array that BUILD fills.</summary>
        private static NumpyArray Reconstruct(object[] args) =>
            args is [ClassDictConstructor { module: "numpy", name: "ndarray" }, _, _]
                ? new NumpyArray()
                : throw Problem("numpy _reconstruct is called with unexpected arguments");

        /// <summary><c>_frombuffer(buffer, dtype, shape, order)</c>, how numpy pickles an array at protocol 5 (in-band buffer).</summary>
        private static NumpyArray FromBuffer(object[] args)
        {
            if (args is not [byte[] data, NumpyDType type, object?[] shape, var order] || Key(order) is not ("C" or "F"))
            {
                throw Problem("numpy _frombuffer is called with unexpected arguments");
            }

            return new NumpyArray { Shape = shape.Select(Dimension).ToArray(), DType = type.Name, Fortran = Key(order) == "F", Data = data };
        }

        /// <summary><c>numpy.dtype(name, align, copy)</c>.</summary>
        private static NumpyDType DType(object[] args) =>
            args.Length >= 1 && Key(args[0]) is string name ? new NumpyDType(name) : throw Problem("numpy.dtype is called with unexpected arguments");

        /// <summary>Builds IstaNas' passive value while <see cref="Pickle"/> reads on this thread; otherwise answers as before.</summary>
        private sealed class Gate(string module, string name, IObjectConstructor? previous, Func<object[], object> build) : IObjectConstructor
        {
            public object construct(object[] args) =>
                t_reading is not null ? build(args) : (previous ?? new ClassDictConstructor(module, name)).construct(args);
        }
    }
}
