namespace IstaNas.Cli;

/// <summary>The --model argument of every command that reads a trained network: a model.ckpt, or the run folder holding it.</summary>
internal static class ModelPath
{
    /// <summary>The model file <paramref name="given"/> names (a folder means its model.ckpt).</summary>
    /// <exception cref="ArgumentException">Neither a file nor a folder holding model.ckpt.</exception>
    public static string Resolve(string given, string option = "--model")
    {
        if (string.IsNullOrWhiteSpace(given)) throw new ArgumentException($"{option} is empty; give a model.ckpt or the run folder holding it.");
        if (Directory.Exists(given))
        {
            string inside = Path.Combine(given, "model.ckpt");
            return File.Exists(inside)
                ? inside
                : throw new ArgumentException($"{option} '{given}' is a folder without a model.ckpt (evaluate and a one-stage search write one); give the run folder or the file.");
        }

        return File.Exists(given) ? given : throw new ArgumentException($"{option} '{given}' does not exist: no such file or folder (give a model.ckpt or the run folder holding it).");
    }
}
