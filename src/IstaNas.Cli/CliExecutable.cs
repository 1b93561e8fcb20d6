namespace IstaNas.Cli;

/// <summary>How this CLI starts itself as a child process: the apphost when that is what runs, else <c>dotnet IstaNas.Cli.dll</c>.</summary>
internal static class CliExecutable
{
    /// <summary>The words that start the CLI: [apphost] or [dotnet, dll].</summary>
    public static IReadOnlyList<string> Self()
    {
        string dll = typeof(CliExecutable).Assembly.Location;
        string apphost = Path.ChangeExtension(dll, OperatingSystem.IsWindows() ? ".exe" : null);
        string? process = Environment.ProcessPath;
        if (process is not null && string.Equals(Path.GetFullPath(process), Path.GetFullPath(apphost), StringComparison.Ordinal))
            return [apphost];
        if (process is not null && Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            return [process, dll];
        return File.Exists(apphost) ? [apphost] : ["dotnet", dll];
    }

    /// <summary>A command given as text (words separated by spaces), as the --executable option takes it.</summary>
    /// <exception cref="ArgumentException">No word.</exception>
    public static IReadOnlyList<string> Parse(string command, string option)
    {
        string[] words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return words.Length > 0 ? words : throw new ArgumentException($"{option} needs a command, such as 'dotnet /app/IstaNas.Cli.dll'.");
    }
}
