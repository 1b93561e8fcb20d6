using IstaNas.Data;

namespace IstaNas.Formats;

/// <summary>
/// Reader for the CIFAR "python version" folders (<c>cifar-10-batches-py</c>, <c>cifar-100-python</c>): each file is a
/// pickled dict holding <c>data</c>, a numpy uint8 array of N×3072 (32×32 red plane, green plane, blue plane, row-major:
/// the same layout as the binary version), and one or more label lists; the meta file lists the class names.
/// Read with <see cref="Pickle"/> (Razorvine.Pickle behind a check of the globals), which runs no Python code.
/// </summary>
internal static class CifarPython
{
    /// <summary>
    /// Reads the images of <paramref name="files"/> and the labels under <paramref name="labelKey"/>, concatenated;
    /// the label lists under <paramref name="alsoValidate"/> are range-checked too.
    /// </summary>
    public static (byte[] Pixels, int[] Labels) Read(IReadOnlyList<string> files, string labelKey, int classCount,
        IReadOnlyList<(string Key, int ClassCount)>? alsoValidate = null)
    {
        var parts = new List<(byte[] Data, int[] Labels)>(files.Count);
        long total = 0;
        foreach (string file in files)
        {
            var dict = LoadDict(file);
            var array = Get(dict, file, "data") as Pickle.NumpyArray
                ?? throw new DataFormatException(file, $"'data' is {Pickle.Describe(dict["data"])}, not a numpy array.");
            if (array.DType is not ("u1" or "|u1" or "uint8") || array.Shape.Length != 2 || array.Shape[1] != CifarBinary.ImageBytes || array.Fortran)
            {
                throw new DataFormatException(file,
                    $"'data' is a numpy array of shape ({string.Join(", ", array.Shape)}) and dtype {array.DType}{(array.Fortran ? " in Fortran order" : string.Empty)}; " +
                    $"CIFAR needs uint8 of shape (N, {CifarBinary.ImageBytes}) in C order.");
            }

            long n = array.Shape[0];
            byte[] data = array.Data!;
            if (data.LongLength != n * CifarBinary.ImageBytes)
            {
                throw new DataFormatException(file, $"'data' claims shape ({n}, {CifarBinary.ImageBytes}) but holds {data.LongLength} bytes, not {n * CifarBinary.ImageBytes}.");
            }

            foreach (var (key, count) in alsoValidate ?? [])
            {
                ReadLabels(dict, file, key, count, n);
            }

            parts.Add((data, ReadLabels(dict, file, labelKey, classCount, n)));
            total += n;
        }

        if (total * CifarBinary.ImageBytes > Array.MaxLength)
        {
            throw new NotSupportedException($"{total} CIFAR images exceed the maximum in-memory array size.");
        }

        var pixels = new byte[total * CifarBinary.ImageBytes];
        var allLabels = new int[total];
        long at = 0;
        foreach (var (data, labels) in parts)
        {
            Buffer.BlockCopy(data, 0, pixels, (int)(at * CifarBinary.ImageBytes), data.Length);
            labels.CopyTo(allLabels, at);
            at += labels.Length;
        }

        return (pixels, allLabels);
    }

    /// <summary>The class names under <paramref name="key"/> of a meta file, or null when the file does not exist.</summary>
    public static string[]? ReadNames(string file, string key, int classCount)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        var dict = LoadDict(file);
        var list = Get(dict, file, key) as List<object?>
            ?? throw new DataFormatException(file, $"'{key}' is {Pickle.Describe(dict[key])}, not a list.");
        if (list.Count != classCount)
        {
            throw new DataFormatException(file, $"'{key}' lists {list.Count} class names; CIFAR has {classCount}.");
        }

        return list.Select((v, i) => Pickle.Key(v) ?? throw new DataFormatException(file, $"class name {i} in '{key}' is {Pickle.Describe(v)}, not a string.")).ToArray();
    }

    private static int[] ReadLabels(Dictionary<string, object?> dict, string file, string labelKey, int classCount, long n)
    {
        var labelList = Get(dict, file, labelKey) as List<object?>
            ?? throw new DataFormatException(file, $"'{labelKey}' is {Pickle.Describe(dict[labelKey])}, not a list.");
        if (labelList.Count != n)
        {
            throw new DataFormatException(file, $"'{labelKey}' holds {labelList.Count} labels but 'data' holds {n} images.");
        }

        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            if (labelList[i] is not long label || label < 0 || label >= classCount)
            {
                throw new DataFormatException(file,
                    $"record {i} has {labelKey.Replace('_', ' ').TrimEnd('s')} {FormatLabel(labelList[i])}, outside the valid range 0..{classCount - 1}.");
            }

            labels[i] = (int)label;
        }

        return labels;
    }

    private static Dictionary<string, object?> LoadDict(string file)
    {
        byte[] raw = DataFiles.ReadAll(file);
        if (raw[0] != 0x80 && raw[0] != (byte)'(' && raw[0] != (byte)'}')
        {
            throw new DataFormatException(file, $"the file is not a Python pickle (it starts with byte 0x{raw[0]:X2}).");
        }

        return Pickle.Load(raw, file) as Dictionary<string, object?>
            ?? throw new DataFormatException(file, "the pickle does not hold a dict.");
    }

    private static object? Get(Dictionary<string, object?> dict, string file, string key) =>
        dict.TryGetValue(key, out object? value)
            ? value
            : throw new DataFormatException(file, $"the pickled dict has no '{key}' entry (it has {string.Join(", ", dict.Keys.Select(k => $"'{k}'"))}).");

    private static string FormatLabel(object? value) => value is long l ? l.ToString(System.Globalization.CultureInfo.InvariantCulture) : Pickle.Describe(value);
}
