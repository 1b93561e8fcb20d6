using IstaNas.Data;
using IstaNas.Formats;

namespace IstaNas.Tests.Data;

/// <summary>CIFAR's "python version" folders (pickled dicts with numpy arrays), read without Python.</summary>
public class CifarPythonTests
{
    private static readonly string[] Names = ["plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>Planar CIFAR records with the same distinctive pixels as the binary test files.</summary>
    private static byte[] Pixels(int count, int firstRecord)
    {
        var pixels = new byte[count * 3072];
        for (int i = 0; i < count; i++)
        {
            for (int c = 0; c < 3; c++)
            {
                for (int r = 0; r < 32; r++)
                {
                    for (int col = 0; col < 32; col++)
                    {
                        pixels[i * 3072 + c * 1024 + r * 32 + col] = TempDirectory.PixelValue(firstRecord + i, c, r, col);
                    }
                }
            }
        }

        return pixels;
    }

    private static void WriteCifar10Python(TempDirectory dir, int protocol = 2, bool meta = true)
    {
        for (int b = 0; b < 5; b++)
        {
            long[] labels = Enumerable.Range(0, 2).Select(i => (long)((b * 2 + i) % 10)).ToArray();
            dir.WriteBytes($"data_batch_{b + 1}", PickleWriter.CifarBatch(Pixels(2, b * 2), [labels], ["labels"], protocol));
        }

        dir.WriteBytes("test_batch", PickleWriter.CifarBatch(Pixels(3, 0), [[9L, 8L, 7L]], ["labels"], protocol));
        if (meta)
        {
            dir.WriteBytes("batches.meta", PickleWriter.Meta("label_names", Names, protocol == 2 ? 0 : protocol));
        }
    }

    [Theory]
    [InlineData(2)] // what the CIFAR site ships: Python 2 cPickle
    [InlineData(3)] // re-pickled by Python 3
    [InlineData(4)]
    [InlineData(5)] // numpy's _frombuffer with an in-band buffer
    public void Cifar10PythonFolderReadsLikeTheBinaryOne(int protocol)
    {
        using var py = new TempDirectory();
        WriteCifar10Python(py, protocol);
        using var bin = new TempDirectory();
        for (int b = 0; b < 5; b++)
        {
            bin.WriteCifar($"data_batch_{b + 1}.bin", Enumerable.Range(0, 2).Select(i => new[] { (byte)((b * 2 + i) % 10) }).ToArray(), firstRecord: b * 2);
        }

        var train = Cifar10.LoadTrain(py.Path);
        var binary = Cifar10.LoadTrain(bin.Path);
        Assert.Equal("cifar10-train", train.Name);
        Assert.Equal(10, train.Count);
        Assert.Equal(Enumerable.Range(0, 10), train.Labels);
        Assert.True(train.Pixels.SequenceEqual(binary.Pixels));
        Assert.Equal(TempDirectory.PixelValue(7, 1, 5, 30), train.GetPixel(7, 1, 5, 30));
        Assert.Equal(Cifar10.Mean, train.Mean);
        Assert.Equal(Names, train.ClassNames); // from batches.meta
        Assert.Equal(Cifar10.ClassNames, binary.ClassNames);

        var test = Cifar10.LoadTest(py.Path);
        Assert.Equal([9, 8, 7], test.Labels);
        Assert.Equal(TempDirectory.PixelValue(2, 2, 31, 31), test.GetPixel(2, 2, 31, 31));
        Assert.Equal(py.File("test_batch"), Cifar10.FindTestFile(py.Path));
        Assert.Equal(bin.File("data_batch_1.bin"), Path.Combine(bin.Path, Cifar10.TrainFiles[0]));
        Assert.Null(Cifar10.FindTestFile(bin.Path));
    }

    [Fact]
    public void WithoutBatchesMetaTheStandardNamesAreUsed()
    {
        using var py = new TempDirectory();
        WriteCifar10Python(py, meta: false);
        Assert.Equal(["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"], Cifar10.LoadTest(py.Path).ClassNames);
    }

    [Fact]
    public void SearchBuilderReadsThePythonTrainingBatchesOnly()
    {
        using var py = new TempDirectory();
        WriteCifar10Python(py);
        File.WriteAllText(Path.Combine(py.Path, "test_batch"), "not read by a search");
        var search = new SearchBuilder().UseCifar10(py.Path).Build();
        Assert.Equal(10, search.Context.Train.Count);
    }

    [Fact]
    public void BrokenPicklesAreNamedWithTheProblem()
    {
        using var dir = new TempDirectory();
        WriteCifar10Python(dir);
        byte[] good = File.ReadAllBytes(dir.File("data_batch_2"));

        dir.WriteBytes("data_batch_2", good[..(good.Length - 100)]);
        var truncated = Assert.Throws<DataFormatException>(() => Cifar10.LoadTrain(dir.Path));
        Assert.Equal(dir.File("data_batch_2"), truncated.FilePath);
        Assert.Contains("truncated", truncated.Message);

        dir.WriteBytes("data_batch_2", PickleWriter.CifarBatch(Pixels(2, 0), [[3L, 10L]], ["labels"]));
        var label = Assert.Throws<DataFormatException>(() => Cifar10.LoadTrain(dir.Path));
        Assert.Contains("record 1 has label 10", label.Message);

        dir.WriteBytes("data_batch_2", PickleWriter.CifarBatch(Pixels(2, 0), [[3L]], ["labels"]));
        Assert.Contains("holds 1 labels but 'data' holds 2 images", Assert.Throws<DataFormatException>(() => Cifar10.LoadTrain(dir.Path)).Message);

        dir.WriteBytes("data_batch_2", PickleWriter.CifarBatch(Pixels(2, 0), [[3L, 4L]], ["fine_labels"]));
        Assert.Contains("no 'labels' entry", Assert.Throws<DataFormatException>(() => Cifar10.LoadTrain(dir.Path)).Message);

        dir.WriteBytes("data_batch_2", PickleWriter.CifarBatch(new byte[2 * 3072], [[3L, 4L]], ["labels"], dtype: "f4", columns: 768));
        var dtype = Assert.Throws<DataFormatException>(() => Cifar10.LoadTrain(dir.Path));
        Assert.Contains("dtype f4", dtype.Message);
        Assert.Contains("uint8 of shape (N, 3072)", dtype.Message);

        dir.WriteBytes("data_batch_2", PickleWriter.Malicious());
        var code = Assert.Throws<DataFormatException>(() => Cifar10.LoadTrain(dir.Path));
        Assert.Contains("'os.system'", code.Message);
        Assert.Contains("does not load", code.Message);

        dir.WriteBytes("data_batch_2", [.. "just some text"u8]);
        Assert.Contains("not a Python pickle", Assert.Throws<DataFormatException>(() => Cifar10.LoadTrain(dir.Path)).Message);
    }

    [Theory]
    [InlineData("os", "system", 2)]
    [InlineData("os", "system", 4)]
    [InlineData("posix", "system", 2)]
    [InlineData("posix", "system", 4)]
    [InlineData("builtins", "exec", 2)]
    [InlineData("builtins", "exec", 4)]
    [InlineData("builtins", "eval", 4)]
    [InlineData("subprocess", "Popen", 2)]
    public void ACodeExecutionPayloadIsRefusedAndNothingRuns(string module, string name, int protocol)
    {
        using var dir = new TempDirectory();
        WriteCifar10Python(dir);
        string marker = dir.File("marker");
        string argument = module == "builtins" ? $"open('{marker.Replace('\\', '/')}', 'w')" : $"touch '{marker}'";
        byte[] payload = PickleWriter.Call(module, name, argument, protocol);

        // The payload is a well-formed call: Razorvine alone reads as far as the call and stops there (it runs no code either).
        var unguarded = Assert.Throws<Razorvine.Pickle.PickleException>(() => new Razorvine.Pickle.Unpickler().loads(payload));
        Assert.Contains($"{module}.{name}", unguarded.Message);

        dir.WriteBytes("data_batch_3", payload);
        var refused = Assert.Throws<DataFormatException>(() => Cifar10.LoadTrain(dir.Path));
        Assert.Equal(dir.File("data_batch_3"), refused.FilePath);
        Assert.Contains($"'{module}.{name}'", refused.Message);
        Assert.Contains("does not load", refused.Message);
        Assert.False(File.Exists(marker), $"{module}.{name} ran: {marker} exists.");
    }

    [Fact]
    public void AGlobalWhoseNameIsNotWrittenOutIsRefused()
    {
        using var dir = new TempDirectory();
        // STACK_GLOBAL on (int, str): the guard cannot name the object, so it refuses rather than guess.
        dir.WriteBytes("pickle", [0x80, 4, (byte)'K', 1, 0x8C, 6, .. "system"u8, 0x93, (byte)'.']);
        var e = Assert.Throws<DataFormatException>(() => Pickle.Load(File.ReadAllBytes(dir.File("pickle")), dir.File("pickle")));
        Assert.Contains("not written out", e.Message);
    }

    public static TheoryData<string, byte[]> Refused => new()
    {
        // 'os' written once, memoised, popped, fetched back from the memo for STACK_GLOBAL: the check follows the memo.
        { "'os.system'", [0x80, 4, 0x8C, 2, .. "os"u8, 0x94, (byte)'0', (byte)'h', 0, 0x8C, 6, .. "system"u8, 0x93, (byte)'N', 0x85, (byte)'R', (byte)'.'] },
        // 'numpy' memoised, then the memo slot overwritten with 'os' before it is fetched.
        { "'os.system'", [0x80, 4, 0x8C, 5, .. "numpy"u8, (byte)'q', 0, 0x8C, 2, .. "os"u8, (byte)'q', 0, (byte)'0', (byte)'0', (byte)'h', 0, 0x8C, 6, .. "system"u8, 0x93, (byte)'.'] },
        // A memo slot holding a list is not a name.
        { "not written out", [0x80, 4, (byte)']', 0x94, (byte)'0', (byte)'h', 0, 0x8C, 6, .. "system"u8, 0x93, (byte)'.'] },
        // Protocol 0 INST: the class and the call in one opcode.
        { "'os.system'", [.. "(S'touch x'\nios\nsystem\n."u8] },
        // A list that contains itself.
        { "nest deeper than 64", [0x80, 2, (byte)']', (byte)'q', 0, (byte)'h', 0, (byte)'a', (byte)'.'] },
        { "persistent id", [0x80, 2, (byte)'Q', (byte)'.'] },
        { "opcode 0xFF", [0x80, 2, 0xFF, (byte)'.'] },
        { "protocol 6 is newer than 5", [0x80, 6, (byte)'N', (byte)'.'] },
        { "without a STOP opcode", [0x80, 2, (byte)'N'] },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void MalformedAndDisguisedPicklesAreRefusedWithTheReason(string reason, byte[] pickle)
    {
        var e = Assert.Throws<DataFormatException>(() => Pickle.Load(pickle, "the-file"));
        Assert.Equal("the-file", e.FilePath);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void RazorvineOutsideTheReaderStillTreatsNumpyAsBefore()
    {
        byte[] batch = PickleWriter.CifarBatch(Pixels(1, 0), [[3L]], ["labels"]);
        var dict = (Dictionary<string, object?>)Pickle.Load(batch, "batch")!;
        Assert.IsType<Pickle.NumpyArray>(dict["data"]);

        // Razorvine's table is process-wide: IstaNas' numpy entries act only inside its reader.
        var e = Assert.Throws<Razorvine.Pickle.PickleException>(() => new Razorvine.Pickle.Unpickler().loads(batch));
        Assert.Contains("numpy.core.multiarray._reconstruct", e.Message);
    }

    [Fact]
    public void AFolderWithNeitherVersionSaysWhatIsExpectedAndPointsAtASubfolder()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<FileNotFoundException>(() => Cifar10.LoadTrain(dir.Path));
        Assert.Contains("neither the binary CIFAR-10 version (data_batch_1.bin) nor the Python version (data_batch_1)", e.Message);

        Directory.CreateDirectory(dir.File("cifar-10-batches-py"));
        var hint = Assert.Throws<FileNotFoundException>(() => Cifar10.LoadTrain(dir.Path));
        Assert.Contains($"use '{dir.File("cifar-10-batches-py")}'", hint.Message);
    }

    [Fact]
    public void Cifar100PythonFolderHasFineAndCoarseLabelsAndNames()
    {
        using var dir = new TempDirectory();
        dir.WriteBytes("train", PickleWriter.CifarBatch(Pixels(3, 0), [[99L, 42L, 0L], [19L, 0L, 7L]], ["fine_labels", "coarse_labels"]));
        dir.WriteBytes("test", PickleWriter.CifarBatch(Pixels(1, 5), [[2L], [1L]], ["fine_labels", "coarse_labels"]));
        dir.WriteBytes("meta", PickleWriter.Meta("fine_label_names", Cifar100.FineClassNames));

        var fine = Cifar100.LoadTrain(dir.Path);
        Assert.Equal([99, 42, 0], fine.Labels);
        Assert.Equal("worm", fine.ClassNames[99]);
        Assert.Equal(TempDirectory.PixelValue(2, 2, 17, 4), fine.GetPixel(2, 2, 17, 4));
        // This meta file lists only the fine names: asking for coarse labels says what is missing.
        Assert.Contains("no 'coarse_label_names' entry", Assert.Throws<DataFormatException>(() => Cifar100.LoadTrain(dir.Path, Cifar100LabelKind.Coarse)).Message);
        File.Delete(dir.File("meta"));
        var coarse = Cifar100.LoadTrain(dir.Path, Cifar100LabelKind.Coarse);
        Assert.Equal([19, 0, 7], coarse.Labels);
        Assert.Equal("vehicles_2", coarse.ClassNames[19]);
        Assert.Equal(dir.File("test"), Cifar100.FindTestFile(dir.Path));

        // Both label lists are checked, whichever is used.
        dir.WriteBytes("train", PickleWriter.CifarBatch(Pixels(1, 0), [[5L], [20L]], ["fine_labels", "coarse_labels"]));
        Assert.Contains("coarse label 20", Assert.Throws<DataFormatException>(() => Cifar100.LoadTrain(dir.Path)).Message);
    }

    [Fact]
    public void TheCifarNameListsAreComplete()
    {
        Assert.Equal(10, Cifar10.ClassNames.Count);
        Assert.Equal(100, Cifar100.FineClassNames.Distinct().Count());
        Assert.Equal(20, Cifar100.CoarseClassNames.Distinct().Count());
        Assert.Equal(Cifar100.FineClassNames.Order(StringComparer.Ordinal), Cifar100.FineClassNames);
    }
}
