using System.Globalization;
using IstaNas.MacroCounts;
using IstaNas.Spaces.Macro;
using TorchSharp;

// Checks every NAS-Bench-Macro network the library builds against the benchmark's table: parameters and FLOPs.
// OMP_NUM_THREADS=1 dotnet run --project tools/IstaNas.MacroCounts -c Release [-- path/to/nas-bench-macro_cifar10.json]
// Exit code 0 when all 6,561 match, 1 when any differs or is missing, 2 when the table cannot be read.
string path = args.FirstOrDefault() ?? DefaultTable();
MacroTable table;
try
{
    table = MacroTable.Load(path);
}
catch (IOException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

// Only shapes matter: build on the meta device, so no weights are allocated or initialised (this process is the tool's own).
torch.set_default_device(new torch.Device(DeviceType.META));
int total = 0, parameterMatches = 0, flopMatches = 0, missing = 0;
long fewest = long.MaxValue, most = 0;
DeviceType? builtOn = null;
var differences = new List<string>();
foreach (string architecture in AllArchitectures())
{
    total++;
    MacroTableEntry entry;
    try
    {
        entry = table.Lookup(architecture);
    }
    catch (KeyNotFoundException)
    {
        missing++;
        differences.Add($"{architecture}: not in the table");
        continue;
    }

    using var network = MacroSpace.CreateNetwork(architecture);
    builtOn ??= network.parameters().First().device_type;
    long parameters = network.parameters().Sum(p => p.numel());
    long flops = BenchmarkFlops.Count(network, 32, 32);
    fewest = Math.Min(fewest, parameters);
    most = Math.Max(most, parameters);
    if (parameters == entry.Parameters) parameterMatches++;
    if (flops == entry.Flops) flopMatches++;
    if (parameters != entry.Parameters || flops != entry.Flops)
        differences.Add(string.Create(CultureInfo.InvariantCulture, $"{architecture}: built {parameters} parameters, {flops} FLOPs; table {entry.Parameters}, {entry.Flops}"));
}

foreach (string difference in differences.Take(20)) Console.WriteLine(difference);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"table {path}: {table.Count} architectures"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"built {total - missing} of {total} networks (3^{MacroSpace.LayerCount}, on the {builtOn?.ToString().ToLowerInvariant()} device); parameters equal the table's for {parameterMatches}, FLOPs for {flopMatches}; {missing} missing from the table"));
if (total > missing)
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"parameters range from {fewest:N0} to {most:N0}"));
bool allMatch = missing == 0 && parameterMatches == total && flopMatches == total && table.Count == total;
Console.WriteLine(allMatch ? "OK: every network matches the table" : "MISMATCH");
return allMatch ? 0 : 1;

static IEnumerable<string> AllArchitectures()
{
    int count = (int)Math.Pow(3, MacroSpace.LayerCount);
    for (int n = 0; n < count; n++)
    {
        var digits = new char[MacroSpace.LayerCount];
        for (int i = MacroSpace.LayerCount - 1, rest = n; i >= 0; i--, rest /= 3) digits[i] = (char)('0' + (rest % 3));
        yield return new string(digits);
    }
}

static string DefaultTable()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "IstaNas.sln")))
            return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "nas-bench-macro", "nas-bench-macro_cifar10.json"));
    }

    return "nas-bench-macro_cifar10.json";
}
