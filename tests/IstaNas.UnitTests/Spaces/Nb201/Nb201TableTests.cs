using IstaNas.Data;
using IstaNas.OptionsReference;
using IstaNas.Spaces.Nb201;

namespace IstaNas.Tests.Spaces.Nb201;

public class Nb201TableTests
{
    /// <summary>The shared CIFAR-10 table (a reduced-budget table: its best cell is 91.52 %, the 200-epoch table's optimum 94.37 %).</summary>
    internal static string TablePath => Path.GetFullPath(Path.Combine(OptionsDocument.RepositoryRoot(), "..", "shared", "data", "nas-bench-201", "cifar10_avg.csv"));

    private static readonly Lazy<Nb201Table> Shared = new(() => Nb201Table.Load(TablePath));

    /// <summary>The figures of ../shared/data/README.md: mean 83.41 %, median 86.99 %, best 91.52 %, all-skip_connect 39.99 %.</summary>
    [Fact]
    public void TheSharedTableHasTheReadmesFigures()
    {
        Nb201Table table = Shared.Value;
        Assert.Equal(15_625, table.Count);
        double[] test = [.. table.Records.Select(r => r.TestAccuracy).Order()];
        Assert.Equal(83.41, test.Average(), 2);
        Assert.Equal(86.99, test[test.Length / 2], 2);
        Assert.Equal(91.52, test[^1], 2);
        Assert.Equal(39.99, table.Lookup(Nb201Architecture.Uniform("skip_connect")).TestAccuracy, 2);
        Assert.Equal(Nb201Architecture.All().ToHashSet(), table.Records.Select(r => r.Architecture).ToHashSet());
    }

    [Fact]
    public void LooksACellUpByItsString()
    {
        // Row 1 of the file.
        Nb201Record row = Shared.Value.Lookup("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|");
        Assert.Equal(90.76933332, row.ValidAccuracy, 6);
        Assert.Equal(90.51333333, row.TestAccuracy, 6);
        Assert.Equal(0.438929597, row.ValidLoss!.Value, 6);
        Assert.Equal(0.457183462, row.TestLoss!.Value, 6);
        Assert.True(Shared.Value.TryLookup(row.Architecture, out var again));
        Assert.Same(row, again);
    }

    [Fact]
    public void AMissingFileIsNamed()
    {
        string path = Path.Combine(Path.GetTempPath(), $"nb201-missing-{Guid.NewGuid():N}.csv");
        var error = Assert.Throws<FileNotFoundException>(() => Nb201Table.Load(path));
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void MalformedRowsAndUnknownCellsNameTheFileLineCellAndColumn()
    {
        const string header = "index,arch_str,valid-accuracy,test-accuracy\n";
        const string good = "0,|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|,40.1,39.99\n";
        string dir = Directory.CreateTempSubdirectory("nb201-table").FullName;
        try
        {
            string file = Path.Combine(dir, "t.csv");
            File.WriteAllText(file, header + good + "1,|nor_conv_3x3~0|+|x~0|none~1|+|none~0|none~1|none~2|,1,2\n");
            var bad = Assert.Throws<DataFormatException>(() => Nb201Table.Load(file));
            Assert.Equal(file, bad.FilePath);
            Assert.Contains(file, bad.Message);
            Assert.Contains("line 3: \"arch_str\"", bad.Message);
            Assert.Contains("unknown operation 'x'", bad.Message);

            const string none = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|";
            File.WriteAllText(file, header + good + $"1,{none},abc,2\n");
            Assert.Contains($"line 3, architecture '{none}': \"valid-accuracy\" holds 'abc', not a finite number",
                Assert.Throws<DataFormatException>(() => Nb201Table.Load(file)).Message);

            File.WriteAllText(file, header + good + "1,2\n");
            Assert.Contains($"'{file}': line 3: the row has 2 fields", Assert.Throws<DataFormatException>(() => Nb201Table.Load(file)).Message);

            File.WriteAllText(file, header + good + good);
            Assert.Contains("line 3, architecture '|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|' appears twice",
                Assert.Throws<DataFormatException>(() => Nb201Table.Load(file)).Message);

            File.WriteAllText(file, "index,arch_str,valid-accuracy\n" + "0,x,1\n");
            Assert.Contains("no column 'test-accuracy'", Assert.Throws<DataFormatException>(() => Nb201Table.Load(file)).Message);

            File.WriteAllText(file, header + "0,\"|none~0|\n");
            Assert.Contains("line 2: a quoted field is not closed", Assert.Throws<DataFormatException>(() => Nb201Table.Load(file)).Message);

            File.WriteAllText(file, string.Empty);
            Assert.Contains("empty", Assert.Throws<DataFormatException>(() => Nb201Table.Load(file)).Message);

            File.WriteAllText(file, header);
            Assert.Contains("no architectures", Assert.Throws<DataFormatException>(() => Nb201Table.Load(file)).Message);

            File.WriteAllText(file, header + good);
            var table = Nb201Table.Load(file);
            Assert.Null(table.Lookup(Nb201Architecture.Uniform("skip_connect")).TestLoss);
            var unknown = Assert.Throws<KeyNotFoundException>(() => table.Lookup(Nb201Architecture.Uniform("none")));
            Assert.Contains(file, unknown.Message);
            Assert.Contains("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", unknown.Message);
            Assert.Throws<FormatException>(() => table.Lookup("|none~0|"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
