namespace IstaNas.Tests.Commands;

/// <summary>An option only some search strategies read, given to another strategy, is refused in one line instead of being ignored.</summary>
public class StrategyOptionTests
{
    [Theory]
    [InlineData("--max-search-epochs applies to --strategy one-stage only, not two-stage", "search", "-s", "two-stage", "--max-search-epochs", "3")]
    [InlineData("--max-search-epochs applies to --strategy one-stage only, not darts", "search", "-s", "darts", "--max-search-epochs", "3")]
    [InlineData("--projection-dims applies to --strategy two-stage or one-stage only, not darts", "search", "-s", "darts", "--projection-dims", "5")]
    [InlineData("--projection-dims applies to --strategy two-stage or one-stage only, not random", "search", "-s", "random", "-m", "5")]
    [InlineData("--matrix applies to --strategy two-stage or one-stage only, not random", "search", "-s", "random", "--matrix", "gaussian")]
    [InlineData("--sparsity applies to --strategy two-stage or one-stage or random only, not darts", "search", "-s", "darts", "--sparsity", "3")]
    [InlineData("--candidates applies to --strategy random --weight-sharing only", "search", "-s", "random", "--candidates", "3")]
    [InlineData("--calibration-batches applies to --strategy random --weight-sharing only", "search", "-s", "random", "--calibration-batches", "3")]
    [InlineData("--calibration-batches applies to --strategy random only", "search", "-s", "one-stage", "--calibration-batches", "3")]
    public void AStrategySpecificOptionGivenToAnotherStrategyIsRefused(string expected, params string[] args)
    {
        var (exit, _, err) = CommandLineTests.Run(args);
        Assert.True(exit == 2, $"exit {exit}: {err}");
        Assert.StartsWith("error: ", err, StringComparison.Ordinal);
        Assert.Contains(expected, err);
        Assert.Single(err.Trim().Split('\n'));
    }
}
