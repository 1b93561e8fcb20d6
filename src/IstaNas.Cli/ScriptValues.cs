using System.Text.RegularExpressions;

namespace IstaNas.Cli;

/// <summary>
/// Checks of every value a user gives that reaches a generated Slurm script or Kubernetes manifest: each must have its
/// scheduler's syntax, and none may carry a line break or a character the shell or YAML would interpret, so no value can
/// add a command to the file. A value that fails is refused with an <see cref="ArgumentException"/> naming its option.
/// </summary>
internal static partial class ScriptValues
{
    /// <summary>A Slurm time limit: minutes, minutes:seconds, hours:minutes:seconds, days-hours, days-hours:minutes,
    /// days-hours:minutes:seconds, or UNLIMITED / INFINITE (sbatch --time).</summary>
    public static string SlurmTime(string value, string option) =>
        SlurmTimeSyntax().IsMatch(value) ? value
            : throw new ArgumentException($"{option} '{Shown(value)}' is not a Slurm time limit; use MINUTES, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS (such as 24:00:00).");

    /// <summary>A Slurm job or partition name: letters, digits and . _ - + (a partition may be a comma-separated list).</summary>
    public static string SlurmName(string value, string option, bool list = false) =>
        (list ? SlurmNameList() : SlurmNameSyntax()).IsMatch(value) ? value
            : throw new ArgumentException($"{option} '{Shown(value)}' may hold only letters, digits and . _ - +{(list ? " (names separated by commas)" : string.Empty)}.");

    /// <summary>
    /// A further <c>#SBATCH</c> option: one long or short option with its value (--mem=8G, --mail-type=END, -C gpu), no line
    /// break, quote, backslash or other control character (sbatch reads the rest of the line as its value).
    /// </summary>
    public static string SlurmOption(string value, string option)
    {
        if (!SlurmOptionSyntax().IsMatch(value))
            throw new ArgumentException($"{option} '{Shown(value)}' is not one sbatch option such as --mem=8G: it must start with - and hold no line break, " +
                                        "quote, backslash, space other than the one before a short option's value, or control character.");
        return value;
    }

    /// <summary>
    /// A path written into an <c>#SBATCH</c> line: double-quoted when it holds a space; no line break, control character,
    /// double quote or backslash.
    /// </summary>
    public static string SlurmPath(string value, string option)
    {
        if (value.Any(c => char.IsControl(c) || c is '"' or '\\'))
            throw new ArgumentException($"{option} '{Shown(value)}' cannot be written into a Slurm script: it holds a line break, a control character, a double quote or a backslash.");
        return value.Contains(' ', StringComparison.Ordinal) ? $"\"{value}\"" : value;
    }

    /// <summary>A Kubernetes object name that is also a DNS label (RFC 1123): lowercase letters, digits and -, starting and
    /// ending with a letter or digit, at most <paramref name="maxLength"/> characters (63 for a Job, whose name labels its pods).</summary>
    public static string KubernetesLabel(string value, string option, int maxLength = 63) =>
        value.Length <= maxLength && DnsLabel().IsMatch(value) ? value
            : throw new ArgumentException($"{option} '{Shown(value)}' is not a Kubernetes name: use at most {maxLength} lowercase letters, digits and '-', " +
                                          "starting and ending with a letter or digit (such as istanas-sweep).");

    /// <summary>A Kubernetes object name that is a DNS subdomain (RFC 1123): DNS labels joined by '.', at most 253 characters.</summary>
    public static string KubernetesSubdomain(string value, string option) =>
        value.Length <= 253 && DnsSubdomain().IsMatch(value) ? value
            : throw new ArgumentException($"{option} '{Shown(value)}' is not a Kubernetes name: use lowercase letters, digits, '-' and '.', " +
                                          "each part starting and ending with a letter or digit, at most 253 characters.");

    /// <summary>A value written as a quoted YAML scalar: any text but a control character (a line break included).</summary>
    public static string YamlText(string value, string option) =>
        value.Length > 0 && !value.Any(char.IsControl) ? value
            : throw new ArgumentException($"{option} '{Shown(value)}' must be non-empty and hold no line break or other control character.");

    /// <summary>The value as shown in a one-line message: control characters escaped.</summary>
    private static string Shown(string value) =>
        string.Concat(value.Select(c => c switch
        {
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            _ when char.IsControl(c) => $"\\u{(int)c:x4}",
            _ => c.ToString(),
        }));

    [GeneratedRegex(@"^(?i:unlimited|infinite|[0-9]+|[0-9]+:[0-9]{1,2}|[0-9]+:[0-9]{1,2}:[0-9]{1,2}|[0-9]+-[0-9]{1,2}|[0-9]+-[0-9]{1,2}:[0-9]{1,2}|[0-9]+-[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2})\z")]
    private static partial Regex SlurmTimeSyntax();

    [GeneratedRegex(@"^[A-Za-z0-9._+-]+\z")]
    private static partial Regex SlurmNameSyntax();

    [GeneratedRegex(@"^[A-Za-z0-9._+-]+(,[A-Za-z0-9._+-]+)*\z")]
    private static partial Regex SlurmNameList();

    [GeneratedRegex(@"^(--[A-Za-z][A-Za-z0-9-]*(=[^\s""'\\\p{Cc}]+)?|-[A-Za-z]( ?[^\s""'\\\p{Cc}]+)?)\z")]
    private static partial Regex SlurmOptionSyntax();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\z")]
    private static partial Regex DnsLabel();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\z")]
    private static partial Regex DnsSubdomain();
}
