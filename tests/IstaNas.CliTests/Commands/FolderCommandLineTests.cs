using IstaNas.Tests.Data;

namespace IstaNas.Tests.Commands;

/// <summary>Bad image folders (and misplaced folder options) given to the CLI: one line on stderr, exit code 2.</summary>
public sealed class FolderCommandLineTests : IClassFixture<FolderCommandLineTests.Folders>
{
    private readonly Folders _folders;

    public FolderCommandLineTests(Folders folders) => _folders = folders;

    /// <summary>One generated folder per kind of bad input, made once for all the cases.</summary>
    public sealed class Folders : IDisposable
    {
        private readonly TempDirectory _dir = new();

        public Folders()
        {
            string Good(string name)
            {
                TestImages.WriteFolder(Path.Combine(_dir.Path, name), ["cat", "dog"], perClass: 8, size: 10);
                return Path.Combine(_dir.Path, name);
            }

            Directory.CreateDirectory(Path.Combine(Good("empty-class"), "eel"));
            File.WriteAllText(Path.Combine(Good("corrupt"), "dog", "broken.png"), "not a png");
            TestImages.WritePng(Path.Combine(Good("mixed"), "cat", "odd.png"), TestImages.Solid(13, 7, (1, 2, 3)), 13, 7);
            TestImages.WriteFolder(Path.Combine(_dir.Path, "one-class"), ["cat"], perClass: 2);
            Directory.CreateDirectory(Path.Combine(_dir.Path, "no-images", "cat"));
            Directory.CreateDirectory(Path.Combine(_dir.Path, "no-images", "dog"));
            File.WriteAllText(Path.Combine(_dir.Path, "no-images", "dog", "list.csv"), "a,b");
            TestImages.WritePng(Path.Combine(_dir.Path, "loose", "x.png"), TestImages.Solid(4, 4, (1, 2, 3)), 4, 4);
            TestImages.WriteFolder(Path.Combine(_dir.Path, "tiny"), ["cat", "dog"], perClass: 1);
            Directory.CreateDirectory(Path.Combine(_dir.Path, "cifar-py"));
            File.WriteAllBytes(Path.Combine(_dir.Path, "cifar-py", "data_batch_1"), [0x80, 2, (byte)'}', (byte)'.']);
            TestImages.WriteFolder(Path.Combine(_dir.Path, "split", "train"), ["cat", "dog"], perClass: 8, size: 10);
            TestImages.WriteFolder(Path.Combine(_dir.Path, "split", "val"), ["cat", "dog"], perClass: 2, size: 10);
        }

        public string Path_(string name) => Path.Combine(_dir.Path, name);

        public string Root => _dir.Path;

        public void Dispose() => _dir.Dispose();
    }

    private static (int Exit, string Out, string Err) Run(params string[] args) => CommandLineTests.RunWithin(TimeSpan.FromMinutes(5), args);

    [Theory]
    [InlineData("search", "nope", "does not exist")]
    [InlineData("search", "empty-class", "class folder '{root}/empty-class/eel' is empty")]
    [InlineData("search", "corrupt", "'{root}/corrupt/dog/broken.png': not a PNG, JPEG or BMP image")]
    [InlineData("search", "mixed", "its images have different sizes", "--image-size", "0")]
    [InlineData("search", "one-class", "only one class ('cat')")]
    [InlineData("search", "no-images", "hold no image files (.png, .jpg, .jpeg, .bmp)")]
    [InlineData("search", "loose", "lie directly in it")]
    [InlineData("search", "cifar-py", "Python (pickled) CIFAR-10 batches")]
    [InlineData("search", "corrupt", "--image-size must be between 1 and 4096", "--image-size", "5000")]
    [InlineData("evaluate", "nope", "does not exist", "--genotype", "darts_v2")]
    [InlineData("evaluate", "corrupt", "broken.png", "--genotype", "darts_v2")]
    [InlineData("evaluate", "tiny", "too few to hold out", "--genotype", "darts_v2")]
    public void BadFoldersAreOneLineAndExitCodeTwo(string command, string folder, string expected, params string[] more)
    {
        var (exit, _, err) = Run([command, "--data", $"folder:{_folders.Path_(folder)}", .. more]);
        Assert.Equal(2, exit);
        Assert.Contains(expected.Replace("/", Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal).Replace("{root}", _folders.Root, StringComparison.Ordinal), err);
        Assert.StartsWith("error: ", err);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("--image-size", "24")]
    [InlineData("--grayscale")]
    [InlineData("--center-crop")]
    [InlineData("--skip-bad-images")]
    public void FolderOptionsWithOtherDataAreRefused(params string[] option)
    {
        var (exit, _, err) = Run(["search", "--data", "synthetic:64", .. option]);
        Assert.Equal(2, exit);
        Assert.Equal($"error: {option[0]} applies to --data folder:DIR only.", err.Trim());
    }

    [Fact]
    public void SearchSkipsBadImagesWithAWarningWhenAsked()
    {
        string output = Path.Combine(_folders.Root, "out-search");
        var (exit, stdout, err) = Run("search", "--data", $"folder:{_folders.Path_("corrupt")}", "--skip-bad-images", "--image-size", "8", "--grayscale",
            "--epochs", "1", "--steps-per-epoch", "1", "--batch-size", "4", "--channels", "4", "--layers", "3", "--threads", "1", "-q", "--output", output);
        Assert.True(exit == 0, $"exit {exit}: {err}");
        Assert.Contains($"warning: Skipping image {Path.Combine(_folders.Path_("corrupt"), "dog", "broken.png")}", err);
        Assert.DoesNotContain("error", err);
        Assert.True(File.Exists(Path.Combine(output, "genotype.json")), stdout);
    }

    [Fact]
    public void EvaluateUsesTheTrainAndValFolders()
    {
        string output = Path.Combine(_folders.Root, "out-evaluate");
        var (exit, stdout, err) = Run("evaluate", "--genotype", "darts_v2", "--data", $"folder:{_folders.Path_("split")}", "--center-crop",
            "--epochs", "1", "--steps-per-epoch", "1", "--test-steps", "1", "--batch-size", "4", "--channels", "4", "--layers", "3", "--no-auxiliary",
            "--threads", "1", "--json", "--output", output);
        Assert.True(exit == 0, $"exit {exit}: {err}");
        Assert.Contains("\"event\":\"done\"", stdout);
        Assert.True(File.Exists(Path.Combine(output, "model.ckpt")));
    }
}
