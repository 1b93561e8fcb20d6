using IstaNas.Choices;
using ChoiceArchitecture = IstaNas.Choices.Architecture;

namespace IstaNas.Tests.Choices;

/// <summary>An architecture.json read back, and the one-line errors of text and files that are not one.</summary>
public sealed class ArchitectureJsonTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("architecture-json-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void SavedAndLoadedItIsTheSame()
    {
        var architecture = new ChoiceArchitecture([new ArchitectureChoice("block1", [0, 2], [0.5, 0.25])], "|z|");
        string path = Path.Combine(_folder, "architecture.json");
        architecture.Save(path);
        ChoiceArchitecture back = ChoiceArchitecture.Load(path);
        Assert.Equal(architecture.ToJson(), back.ToJson());
        Assert.Equal("|z|", back.Score);
    }

    [Theory]
    [InlineData("{ not json", "Not an architecture: ")]
    [InlineData("""{"score": "|z|"}""", "Not an architecture: it has no \"choices\" list.")]
    [InlineData("""{"choices": [{"name": "a", "picks": [0]}, {"name": "a", "picks": [1]}]}""", "Not a valid architecture: The architecture lists choice 'a' twice.")]
    public void TextThatIsNotOneSaysWhy(string json, string message)
    {
        var error = Assert.Throws<FormatException>(() => ChoiceArchitecture.FromJson(json));
        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void AFileThatIsNotOneIsNamed()
    {
        string missing = Path.Combine(_folder, "none.json");
        Assert.Equal($"Architecture file '{missing}' does not exist.", Assert.Throws<FileNotFoundException>(() => ChoiceArchitecture.Load(missing)).Message);
        string bad = Path.Combine(_folder, "bad.json");
        File.WriteAllText(bad, """{"score": null}""");
        Assert.Equal($"'{bad}': Not an architecture: it has no \"choices\" list.", Assert.Throws<FormatException>(() => ChoiceArchitecture.Load(bad)).Message);
        Assert.Throws<ArgumentNullException>(() => ChoiceArchitecture.FromJson(null!));
    }
}
