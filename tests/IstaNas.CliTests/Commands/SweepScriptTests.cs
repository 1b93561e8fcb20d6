using System.Diagnostics;
using System.Text.RegularExpressions;
using IstaNas.Tests.Data;

namespace IstaNas.Tests.Commands;

/// <summary>
/// The Slurm job array script and the Kubernetes Indexed Job manifest that <c>sweep</c> writes: every task's commands and
/// folders (parsed from the files), folders that do not collide, and a task script that skips finished steps and resumes
/// unfinished ones when run again (executed with bash, the CLI replaced by a fake that records its arguments).
/// </summary>
public sealed partial class SweepScriptTests : IDisposable
{
    private const string Fake = """
        #!/usr/bin/env bash
        # Stands in for the CLI: records its arguments and leaves a finished result.json where the real command would.
        echo "$*" >> "$FAKE_LOG"
        if [ -n "${FAKE_EXIT:-}" ]; then exit "$FAKE_EXIT"; fi
        out=""; resume=""
        while [ $# -gt 0 ]; do
          case "$1" in --output) out="$2"; shift ;; --resume) resume="$2"; shift ;; esac
          shift
        done
        if [ -n "$resume" ]; then out="$(dirname "$resume")"; fi
        mkdir -p "$out"
        printf '{\n  "genotype": {},\n  "cancelled": false\n}\n' > "$out/result.json"
        echo '{}' > "$out/genotype.json"
        """;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string FakeCli()
    {
        string path = _dir.File("fake-cli.sh");
        File.WriteAllText(path, Fake.ReplaceLineEndings("\n") + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>The task blocks of a script: index => (variable => words or value).</summary>
    internal static Dictionary<int, Dictionary<string, string[]>> Tasks(string script)
    {
        var tasks = new Dictionary<int, Dictionary<string, string[]>>();
        foreach (Match block in TaskBlock().Matches(script))
        {
            var variables = new Dictionary<string, string[]>();
            foreach (string statement in block.Groups[2].Value.Split('\n').SelectMany(l => l.Split("; ")).Select(s => s.Trim()).Where(s => s.Length > 0))
            {
                int eq = statement.IndexOf('=', StringComparison.Ordinal);
                string name = statement[..eq], value = statement[(eq + 1)..];
                variables[name] = value.StartsWith('(') ? Words(value[1..^1]) : Words(value);
            }

            tasks[int.Parse(block.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)] = variables;
        }

        return tasks;
    }

    /// <summary>Bash words: single-quoted ('\'' inside) or bare.</summary>
    private static string[] Words(string text)
    {
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        bool quoted = false, any = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '\'') quoted = false;
                else word.Append(c);
            }
            else if (c == '\'')
            {
                quoted = any = true;
            }
            else if (c == '\\' && i + 1 < text.Length)
            {
                word.Append(text[++i]);
                any = true;
            }
            else if (c == ' ')
            {
                if (any) words.Add(word.ToString());
                word.Clear();
                any = false;
            }
            else
            {
                word.Append(c);
                any = true;
            }
        }

        if (any) words.Add(word.ToString());
        return [.. words];
    }

    [GeneratedRegex(@"^  (\d+)\)\n(.*?)^    ;;", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex TaskBlock();

    private static (int Exit, string Output) Bash(string script, string indexVariable, string index, string log, string? exitCode = null)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        psi.Environment[indexVariable] = index;
        psi.Environment["FAKE_LOG"] = log;
        if (exitCode is not null) psi.Environment["FAKE_EXIT"] = exitCode;
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(30_000), "the task script did not finish");
        return (p.ExitCode, output);
    }

    private static string[] Log(string log) => File.Exists(log) ? File.ReadAllLines(log) : [];

    /// <summary>Every task's commands: the right strategy and seed, the budget, its own folders, the resume commands.</summary>
    private static void AssertCommands(Dictionary<int, Dictionary<string, string[]>> tasks, string root, string cli)
    {
        (string Strategy, int Seed)[] expected = [("two-stage", 3), ("random-ws", 3), ("two-stage", 4), ("random-ws", 4)]; // seed-major: index = seed * S + strategy
        Assert.Equal(expected.Length, tasks.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            var (strategy, seed) = expected[i];
            Dictionary<string, string[]> t = tasks[i];
            string folder = $"{root}/{strategy}/seed-{seed}", kind = strategy == "random-ws" ? "random" : strategy;
            Assert.Equal([strategy], t["STRATEGY"]);
            Assert.Equal([seed.ToString(System.Globalization.CultureInfo.InvariantCulture)], t["SEED"]);
            Assert.Equal([$"{folder}/search"], t["SEARCH_DIR"]);
            Assert.Equal([$"{folder}/search/{kind}.ckpt"], t["SEARCH_CKPT"]);
            Assert.Equal([$"{folder}/evaluate"], t["EVALUATE_DIR"]);
            Assert.Equal([$"{folder}/evaluate/evaluation.ckpt"], t["EVALUATE_CKPT"]);
            string[] strategyArgs = strategy == "random-ws" ? ["--strategy", "random", "--weight-sharing", "--candidates", "5"] : ["--strategy", strategy];
            Assert.Equal([cli, "search", .. strategyArgs, "--seed", $"{seed}", "--output", $"{folder}/search", "--data", "synthetic:64", "--epochs", "2",
                "--quiet", "--threads", "2"], t["SEARCH"]);
            Assert.Equal([cli, "search", "--resume", $"{folder}/search/{kind}.ckpt", "--quiet", "--threads", "2"], t["SEARCH_RESUME"]);
            Assert.Equal([cli, "evaluate", "--genotype", $"{folder}/search/genotype.json", "--seed", $"{seed}", "--output", $"{folder}/evaluate",
                "--data", "synthetic:64", "--epochs", "3", "--no-auxiliary", "--quiet", "--threads", "2"], t["EVALUATE"]);
            Assert.Equal([cli, "evaluate", "--resume", $"{folder}/evaluate/evaluation.ckpt", "--quiet", "--threads", "2"], t["EVALUATE_RESUME"]);
        }

        string[] folders = [.. tasks.Values.SelectMany(t => new[] { t["SEARCH_DIR"][0], t["EVALUATE_DIR"][0] })];
        Assert.Equal(folders.Length, folders.Distinct().Count());
    }

    /// <summary>Runs task 1 of a script four times: new, all finished, an unfinished evaluation, a cancelled search; and a failing command.</summary>
    private void AssertTaskRunsResumesAndSkips(string script, string indexVariable, string root)
    {
        string log = _dir.File($"log-{indexVariable}.txt");
        string folder = $"{root}/random-ws/seed-3";

        var (exit, output) = Bash(script, indexVariable, "1", log);
        Assert.True(exit == 0, output);
        string[] first = Log(log);
        Assert.Equal(2, first.Length);
        Assert.StartsWith($"search --strategy random --weight-sharing --candidates 5 --seed 3 --output {folder}/search", first[0], StringComparison.Ordinal);
        Assert.StartsWith($"evaluate --genotype {folder}/search/genotype.json --seed 3 --output {folder}/evaluate", first[1], StringComparison.Ordinal);

        // Run again: both steps finished, nothing runs.
        (exit, output) = Bash(script, indexVariable, "1", log);
        Assert.True(exit == 0, output);
        Assert.Equal(2, Log(log).Length);
        Assert.Contains("search: finished before, skipped", output);
        Assert.Contains("evaluate: finished before, skipped", output);

        // An evaluation killed halfway (a checkpoint, no result): continued with --resume.
        File.Delete($"{folder}/evaluate/result.json");
        File.WriteAllText($"{folder}/evaluate/evaluation.ckpt", "checkpoint");
        (exit, output) = Bash(script, indexVariable, "1", log);
        Assert.True(exit == 0, output);
        Assert.Equal($"evaluate --resume {folder}/evaluate/evaluation.ckpt --quiet --threads 2", Log(log)[^1]);

        // A cancelled search (result.json says so, a checkpoint): continued; the finished evaluation is not redone.
        File.WriteAllText($"{folder}/search/result.json", "{\n  \"cancelled\": true\n}\n");
        File.WriteAllText($"{folder}/search/random.ckpt", "checkpoint");
        (exit, output) = Bash(script, indexVariable, "1", log);
        Assert.True(exit == 0, output);
        Assert.Equal($"search --resume {folder}/search/random.ckpt --quiet --threads 2", Log(log)[^1]);
        Assert.Contains("evaluate: finished before, skipped", output);

        // A command that fails fails the task with its exit code; an index outside the array is an error.
        (exit, _) = Bash(script, indexVariable, "2", log, exitCode: "3");
        Assert.Equal(3, exit);
        (exit, output) = Bash(script, indexVariable, "9", log);
        Assert.Equal(2, exit);
        Assert.Contains("outside 0..3", output);
    }

    private string[] SweepArguments(string runner, string output, string cli) =>
    [
        "sweep", "--runner", runner, "--seeds", "2", "--first-seed", "3", "--strategies", "two-stage,random-ws", "--candidates", "5", "--data", "synthetic:64",
        "--epochs", "2", "--eval-epochs", "3", "--eval-no-auxiliary", "--threads", "2", "--parallel", "2", "--executable", cli, "--output", output,
    ];

    [Fact]
    public void TheSlurmArrayHoldsEveryTasksCommandsAndItsScriptResumesOnRerun()
    {
        string cli = FakeCli(), root = _dir.File("slurm");
        var (exit, stdout, err) = CommandLineTests.Run([.. SweepArguments("slurm", root, cli), "--slurm-time", "01:00:00", "--slurm-option=--mem=4G"]);
        Assert.True(exit == 0, err);
        Assert.Contains("sbatch", stdout);
        string script = Path.Combine(root, "sweep.sbatch");
        string text = File.ReadAllText(script);
        Assert.StartsWith("#!/usr/bin/env bash\n", text, StringComparison.Ordinal);
        foreach (string directive in new[] { "--array=0-3%2", $"--output={root}/logs/%A_%a.out", "--cpus-per-task=2", "--time=01:00:00", "--mem=4G", "--job-name=istanas-sweep" })
            Assert.Contains($"#SBATCH {directive}\n", text);
        Assert.True(Directory.Exists(Path.Combine(root, "logs")), "Slurm needs the log folder to exist before the job starts");
        Assert.Contains("INDEX=\"${SLURM_ARRAY_TASK_ID:-", text);
        AssertCommands(Tasks(text), root, cli);
        AssertTaskRunsResumesAndSkips(script, "SLURM_ARRAY_TASK_ID", root);

        // The same sweep written again is accepted (and the same script); another sweep in that folder is refused.
        Assert.Equal(0, CommandLineTests.Run(SweepArguments("slurm", root, cli)).Exit);
        var (refused, _, why) = CommandLineTests.Run([.. SweepArguments("slurm", root, cli).Select(a => a == "--epochs" ? "--steps-per-epoch" : a)]);
        Assert.Equal(2, refused);
        Assert.Contains("holds a sweep with other settings", why);
    }

    [Fact]
    public void TheKubernetesIndexedJobHoldsEveryTasksCommandsAndItsScriptResumesOnRerun()
    {
        string cli = FakeCli(), output = _dir.File("k8s"), mount = _dir.File("volume");
        var (exit, stdout, err) = CommandLineTests.Run([.. SweepArguments("kubernetes", output, cli), "--image", "registry.example/istanas:1",
            "--volume-claim", "istanas-runs", "--mount-path", mount]);
        Assert.True(exit == 0, err);
        Assert.Contains("kubectl apply -f", stdout);
        string manifest = File.ReadAllText(Path.Combine(output, "sweep-job.yaml"));
        string[] documents = manifest.Split("\n---\n");
        Assert.Equal(2, documents.Length);
        Assert.Contains("kind: ConfigMap", documents[0]);
        Assert.Contains("kind: Job", documents[1]);
        foreach (string field in new[]
                 {
                     "completionMode: Indexed", "completions: 4", "parallelism: 2", "image: \"registry.example/istanas:1\"", "claimName: \"istanas-runs\"",
                     $"mountPath: \"{mount}\"", "command: [\"bash\", \"/istanas-sweep/task.sh\"]", "cpu: \"2\"", "restartPolicy: Never", "name: istanas-sweep-script",
                 })
            Assert.Contains(field, documents[1]);

        // The script is the ConfigMap's literal block, indented by four spaces.
        string[] lines = documents[0].Split('\n');
        int start = Array.FindIndex(lines, l => l == "  task.sh: |") + 1;
        string script = string.Join('\n', lines.Skip(start).TakeWhile(l => l.Length == 0 || l.StartsWith("    ", StringComparison.Ordinal)).Select(l => l.Length == 0 ? l : l[4..]));
        Assert.StartsWith("#!/usr/bin/env bash\n", script, StringComparison.Ordinal);
        Assert.Contains("INDEX=\"${JOB_COMPLETION_INDEX:-", script);
        AssertCommands(Tasks(script), mount, cli);
        string path = _dir.File("task.sh");
        File.WriteAllText(path, script + "\n");
        AssertTaskRunsResumesAndSkips(path, "JOB_COMPLETION_INDEX", mount);
    }
}
