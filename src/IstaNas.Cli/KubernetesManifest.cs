using System.Globalization;
using System.Text;

namespace IstaNas.Cli;

/// <summary>
/// A Kubernetes Indexed Job for a sweep (<c>completionMode: Indexed</c>: each pod gets <c>JOB_COMPLETION_INDEX</c>, which
/// selects the seed and strategy), with the task script in a ConfigMap and the sweep's folder on a persistent volume
/// claim. Apply with <c>kubectl apply -f</c>; delete the Job and apply again to continue what did not finish.
/// </summary>
internal static class KubernetesManifest
{
    /// <summary>File name of the manifest in the sweep's folder.</summary>
    public const string FileName = "sweep-job.yaml";

    private const string ScriptFolder = "/istanas-sweep";

    /// <summary>The manifest: a ConfigMap with <c>task.sh</c>, then the Job.</summary>
    /// <param name="plan">The sweep, with its folders under <paramref name="mountPath"/>.</param>
    /// <param name="name">The Job's name (the ConfigMap is NAME-script).</param>
    /// <param name="image">The container image holding the CLI (and dotnet when the executable is a dll).</param>
    /// <param name="claim">The persistent volume claim that holds the sweep's folder.</param>
    /// <param name="mountPath">Where the claim is mounted in the container.</param>
    /// <param name="parallel">Pods at once, or null for one per task.</param>
    /// <param name="cpus">CPUs requested per pod, or null.</param>
    /// <remarks>Every value is checked (<see cref="ScriptValues"/>): the names against Kubernetes' rules, the quoted ones for
    /// line breaks; one that fails is refused with an <see cref="ArgumentException"/> naming its option.</remarks>
    public static string Create(SweepPlan plan, string name, string image, string claim, string mountPath, int? parallel, int? cpus)
    {
        name = ScriptValues.KubernetesLabel(name, "--job-name");
        image = ScriptValues.YamlText(image, "--image");
        claim = ScriptValues.KubernetesSubdomain(claim, "--volume-claim");
        mountPath = ScriptValues.YamlText(mountPath, "--mount-path");
        string script = TaskScript.Bash(plan, "JOB_COMPLETION_INDEX");
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"""
            # IstaNas sweep: {plan.Tasks.Count} tasks, one pod each (JOB_COMPLETION_INDEX selects the seed and strategy; see task.sh).
            # Apply: kubectl apply -f {FileName}. To continue after failures: kubectl delete job {name}; kubectl apply -f {FileName}.
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: {name}-script
            data:
              task.sh: |

            """);
        foreach (string line in script.TrimEnd('\n').Split('\n'))
            sb.Append(line.Length == 0 ? "\n" : "    " + line + "\n");
        sb.Append(CultureInfo.InvariantCulture, $"""
            ---
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: {name}
            spec:
              completionMode: Indexed
              completions: {plan.Tasks.Count}
              parallelism: {parallel ?? plan.Tasks.Count}
              backoffLimit: {3 * plan.Tasks.Count}
              template:
                spec:
                  restartPolicy: Never
                  containers:
                    - name: istanas
                      image: {Yaml(image)}
                      command: ["bash", "{ScriptFolder}/task.sh"]

            """);
        if (cpus is int c)
            sb.Append(CultureInfo.InvariantCulture, $"""
                          resources:
                            requests:
                              cpu: "{c}"

                """);
        sb.Append(CultureInfo.InvariantCulture, $"""
                      volumeMounts:
                        - name: runs
                          mountPath: {Yaml(mountPath)}
                        - name: script
                          mountPath: {ScriptFolder}
                  volumes:
                    - name: runs
                      persistentVolumeClaim:
                        claimName: {Yaml(claim)}
                    - name: script
                      configMap:
                        name: {name}-script

            """);
        return sb.ToString();
    }

    /// <summary>A YAML scalar in double quotes.</summary>
    private static string Yaml(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
