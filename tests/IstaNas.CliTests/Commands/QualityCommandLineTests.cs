namespace IstaNas.Tests.Commands;

/// <summary>Bad input to the search-quality commands: one line on stderr starting with "error: ", exit code 2, no stack trace.</summary>
public class QualityCommandLineTests
{
    [Theory]
    [InlineData("applies to --strategy random only", "search", "--strategy", "two-stage", "--weight-sharing")]
    [InlineData("--candidates must be at least 1", "search", "--strategy", "random", "--candidates", "0")]
    [InlineData("--runner 'pbs' is not known", "sweep", "--runner", "pbs")]
    [InlineData("'genetic' is not known", "sweep", "--strategies", "two-stage,genetic")]
    [InlineData("lists 'darts' twice", "sweep", "--strategies", "darts,darts")]
    [InlineData("--seeds must be at least 1", "sweep", "--seeds", "0")]
    [InlineData("--parallel must be at least 1", "sweep", "--parallel", "0")]
    [InlineData("needs --image", "sweep", "--runner", "kubernetes")]
    [InlineData("needs --volume-claim", "sweep", "--runner", "kubernetes", "--image", "x")]
    [InlineData("--image applies to --runner kubernetes only", "sweep", "--runner", "slurm", "--image", "x")]
    [InlineData("--slurm-time applies to --runner slurm only", "sweep", "--slurm-time", "1:00:00")]
    [InlineData("--candidates applies to the random-ws strategy only", "sweep", "--candidates", "3")]
    [InlineData("--eval-epochs must be positive", "sweep", "--eval-epochs", "0")]
    [InlineData("does not exist", "sweep", "--data", "cifar10:/no/such/folder")]
    [InlineData("is not known", "sweep", "--data", "imagenet:/x")]
    [InlineData("is not a folder", "aggregate", "--input", "/no/such/sweep")]
    [InlineData("--supernet-strategy 'one-stage' is not known", "consistency", "--supernet-strategy", "one-stage")]
    [InlineData("--architectures must be at least 2", "consistency", "--architectures", "1")]
    [InlineData("--supernet '/no/such.ckpt' does not exist", "consistency", "--supernet", "/no/such.ckpt")]
    [InlineData("--eval-channels must be positive", "consistency", "--eval-channels", "0")]
    public void BadInputIsOneLineAndExitCodeTwo(string expected, params string[] args) => CommandLineTests.AssertOneLineError(args, expected);

    [Fact]
    public void AnEmptyFolderIsNoSweepAndHelpListsTheNewCommands()
    {
        string empty = Directory.CreateTempSubdirectory("istanas-empty").FullName;
        try
        {
            var (exit, _, err) = CommandLineTests.Run("aggregate", "--input", empty);
            Assert.Equal(2, exit);
            Assert.Contains("holds no sweep", err);
        }
        finally
        {
            Directory.Delete(empty);
        }

        var (code, help, _) = CommandLineTests.Run("--help");
        Assert.Equal(0, code);
        foreach (string command in new[] { "consistency", "sweep", "aggregate" })
            Assert.Contains(command, help);
        Assert.Contains("random", CommandLineTests.Run("search", "--help").Out);
    }
}
