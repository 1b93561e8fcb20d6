using System.Globalization;
using System.Text;

namespace IstaNas.Cli;

/// <summary>
/// The bash script every task of a sweep runs on a cluster (the Slurm job array's script, the Kubernetes Indexed Job's):
/// the task index selects the strategy, the seed, the folders and the four commands of <see cref="SweepTask"/>; then the
/// search and the evaluation each run only when unfinished, resumed from their checkpoint when there is one. Running the
/// array again therefore continues it. The commands are written out per task, so the script says exactly what runs.
/// </summary>
internal static class TaskScript
{
    /// <summary>The script.</summary>
    /// <param name="plan">The sweep.</param>
    /// <param name="indexVariable">The scheduler's variable holding the task index (SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX); the first argument may give it instead.</param>
    /// <param name="header">Lines after the shebang (for example <c>#SBATCH</c> directives), or none.</param>
    public static string Bash(SweepPlan plan, string indexVariable, IEnumerable<string>? header = null)
    {
        var sb = new StringBuilder("#!/usr/bin/env bash\n");
        foreach (string line in header ?? []) sb.Append(line).Append('\n');
        int last = plan.Tasks.Count - 1;
        string indexLine = "INDEX=\"${" + indexVariable + ":-${1:-}}\"";
        sb.Append(CultureInfo.InvariantCulture, $$"""
            # IstaNas sweep: {{plan.Tasks.Count}} task(s): {{plan.Seeds.Count}} seed(s) x {{string.Join(", ", plan.Strategies)}}.
            # Task i searches, then evaluates the genotype it found; a step whose result.json says it finished is skipped,
            # one with a checkpoint is continued with --resume. Run the array again to continue it. Written by `istanas sweep`.
            set -uo pipefail
            {{indexLine}}
            if [ -z "$INDEX" ]; then echo "error: no task index: set {{indexVariable}} or give it as the first argument (0..{{last}})" >&2; exit 2; fi
            case "$INDEX" in

            """);
        foreach (SweepTask t in plan.Tasks)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  {t.Index})\n");
            sb.Append(CultureInfo.InvariantCulture, $"    STRATEGY={Quote(t.Strategy)}; SEED={t.Seed}\n");
            sb.Append(CultureInfo.InvariantCulture, $"    SEARCH_DIR={Quote(t.SearchFolder)}; SEARCH_CKPT={Quote(t.SearchCheckpoint)}\n");
            sb.Append(CultureInfo.InvariantCulture, $"    EVALUATE_DIR={Quote(t.EvaluateFolder)}; EVALUATE_CKPT={Quote(t.EvaluateCheckpoint)}\n");
            sb.Append(CultureInfo.InvariantCulture, $"    SEARCH=({Words(t.Search)})\n");
            sb.Append(CultureInfo.InvariantCulture, $"    SEARCH_RESUME=({Words(t.SearchResume)})\n");
            sb.Append(CultureInfo.InvariantCulture, $"    EVALUATE=({Words(t.Evaluate)})\n");
            sb.Append(CultureInfo.InvariantCulture, $"    EVALUATE_RESUME=({Words(t.EvaluateResume)})\n");
            sb.Append("    ;;\n");
        }

        sb.Append(CultureInfo.InvariantCulture, $$"""
              *) echo "error: task index $INDEX is outside 0..{{last}}" >&2; exit 2 ;;
            esac

            finished() { [ -f "$1/result.json" ] && grep -q '"cancelled": false' "$1/result.json"; }

            echo "task $INDEX: $STRATEGY, seed $SEED"
            {{Step("search", "SEARCH", "the search")}}

            {{Step("evaluate", "EVALUATE", "the evaluation")}}
            echo "task $INDEX: done"

            """);
        return sb.ToString();
    }

    /// <summary>
    /// One step of a task (search, evaluate): skipped when its folder's result.json says it finished, continued from its
    /// checkpoint when there is one, else started; then it must have finished.
    /// </summary>
    /// <param name="step">The step's name in the log.</param>
    /// <param name="variable">The prefix of its variables: NAME_DIR, NAME_CKPT, the commands NAME and NAME_RESUME.</param>
    /// <param name="what">The step in the error message.</param>
    private static string Step(string step, string variable, string what)
    {
        string dir = $"${variable}_DIR", checkpoint = $"${variable}_CKPT";
        string start = "\"${" + variable + "[@]}\"", resume = "\"${" + variable + "_RESUME[@]}\"";
        return $$"""
            if finished "{{dir}}"; then
              echo "{{step}}: finished before, skipped"
            elif [ -f "{{checkpoint}}" ]; then
              echo "{{step}}: continuing {{checkpoint}}"
              {{resume}} || exit $?
            else
              echo "{{step}}: new"
              {{start}} || exit $?
            fi
            finished "{{dir}}" || { echo "error: task $INDEX: {{what}} did not finish (no {{dir}}/result.json)" >&2; exit 1; }
            """;
    }

    /// <summary>One word for bash: single-quoted, a quote inside written as '\''.</summary>
    public static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string Words(IEnumerable<string> words) => string.Join(' ', words.Select(Quote));
}
