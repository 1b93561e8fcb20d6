namespace IstaNas.Benchmarks;
internal static class Soak { public static void Run(string[] args) { } }
