using System.Diagnostics;

namespace IstaNas.Tests.Sample;

/// <summary>Runs the sample app as a user would and checks what bad input gets: one line on stderr, exit code 2.</summary>
public class CommandLineTests
{
    internal static (int Exit, string Out, string Err) Run(params string[] args)
    {
        string dll = typeof(IstaNas.Sample.DataSpec).Assembly.Location;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync(), stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"istanas {string.Join(' ', args)} did not finish in 2 minutes");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Theory]
    [InlineData("is not known", "search", "--strategy", "foo")]
    [InlineData("does not exist", "search", "--data", "cifar10:/no/such/folder")]
    [InlineData("must be positive", "search", "--epochs", "0")]
    [InlineData("not known", "search", "--data", "imagenet:/x")]
    [InlineData("two paths", "search", "--data", "idx:only-one")]
    [InlineData("neither a file nor a built-in genotype", "evaluate", "--genotype", "nonsense")]
    [InlineData("Cannot parse", "search", "--epochs", "many")]
    [InlineData("Unrecognized", "frobnicate")]
    public void BadInputIsOneLineAndExitCodeTwo(string expected, params string[] args)
    {
        var (exit, _, err) = Run(args);
        Assert.Equal(2, exit);
        Assert.Contains(expected, err);
        Assert.DoesNotContain("   at ", err); // no stack trace
        Assert.StartsWith("error: ", err);
    }

    [Fact]
    public void HelpDocumentsEveryOption()
    {
        var (exit, output, _) = Run("search", "--help");
        Assert.Equal(0, exit);
        foreach (string option in new[] { "--strategy", "--data", "--epochs", "--batch-size", "--channels", "--layers", "--seed", "--output", "--resume", "--quiet", "--json", "--device", "--threads" })
            Assert.Contains(option, output);
    }
}
