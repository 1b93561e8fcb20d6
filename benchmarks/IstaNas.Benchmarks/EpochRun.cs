namespace IstaNas.Benchmarks;
internal static class EpochRun { public static void Run(string[] args) { } }
