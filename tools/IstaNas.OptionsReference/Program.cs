using IstaNas.OptionsReference;

// dotnet run --project tools/IstaNas.OptionsReference -c Release [-- docs/options.md]
string output = args.FirstOrDefault() ?? Path.Combine(OptionsDocument.RepositoryRoot(), "docs", "options.md");
File.WriteAllText(output, OptionsDocument.Generate());
Console.WriteLine($"wrote {output}");
