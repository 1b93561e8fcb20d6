using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;

namespace IstaNas.Checkpoints;

/// <summary>
/// A checkpoint read from disk by <see cref="Load"/> and fully verified (magic, format version, SHA-256 of the
/// metadata, of every section and of the whole file). Gives access to the metadata and the named sections, and
/// restores modules, optimisers and the torch generator from them. The whole file is read into memory, so a
/// checkpoint is limited to 2 GB (a 20-cell, 36-channel network with SGD momentum takes about 30 MB).
/// </summary>
internal sealed class Checkpoint
{
    private readonly byte[] _bytes;
    private readonly Dictionary<string, (int Offset, int Length)> _sections;

    private Checkpoint(string path, byte[] bytes, CheckpointMetadata metadata, Dictionary<string, (int, int)> sections, List<string> names)
    {
        Path = path;
        _bytes = bytes;
        Metadata = metadata;
        _sections = sections;
        SectionNames = names;
    }

    /// <summary>The file the checkpoint was read from.</summary>
    public string Path { get; }

    /// <summary>The metadata document.</summary>
    public CheckpointMetadata Metadata { get; }

    /// <summary>Section names, in file order.</summary>
    public IReadOnlyList<string> SectionNames { get; }

    /// <summary>Reads and verifies a checkpoint file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The checkpoint.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CheckpointException">Not a checkpoint, unsupported version, truncated or corrupted; the message names the file and the problem.</exception>
    public static Checkpoint Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Checkpoint file '{path}' does not exist.", path);
        byte[] bytes = File.ReadAllBytes(path);
        var reader = new Reader(path, bytes);
        if (bytes.Length < CheckpointFormat.Magic.Length || !bytes.AsSpan(0, CheckpointFormat.Magic.Length).SequenceEqual(CheckpointFormat.Magic))
            throw new CheckpointException(path, "not an IstaNas checkpoint (wrong magic bytes).");
        reader.Skip(CheckpointFormat.Magic.Length, "the header");
        uint version = reader.UInt32("the format version");
        if (version != CheckpointFormat.Version)
            throw new CheckpointException(path, $"format version {version} is not supported (this library reads version {CheckpointFormat.Version}).");

        int metadataLength = reader.Int32("the metadata length");
        ReadOnlySpan<byte> metadataBytes = reader.Bytes(metadataLength, "the metadata");
        ReadOnlySpan<byte> metadataHash = reader.Bytes(CheckpointFormat.HashSize, "the metadata hash");
        if (!SHA256.HashData(metadataBytes).AsSpan().SequenceEqual(metadataHash))
            throw new CheckpointException(path, "the metadata is corrupted (SHA-256 mismatch).");
        CheckpointMetadata metadata = ParseMetadata(path, metadataBytes);

        int count = reader.Int32("the section count");
        if (count < 0)
            throw new CheckpointException(path, $"the section count {count} is invalid; the file is corrupted.");
        var sections = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
        var names = new List<string>();
        for (int i = 0; i < count; i++)
        {
            string name = reader.String($"the name of section {i}");
            long length = reader.Int64($"the length of section '{name}'");
            if (length < 0 || length > bytes.Length)
                throw new CheckpointException(path, $"section '{name}' claims {length} bytes; the file is truncated or corrupted.");
            ReadOnlySpan<byte> hash = reader.Bytes(CheckpointFormat.HashSize, $"the hash of section '{name}'");
            int offset = reader.Position;
            ReadOnlySpan<byte> data = reader.Bytes((int)length, $"section '{name}'");
            if (!SHA256.HashData(data).AsSpan().SequenceEqual(hash))
                throw new CheckpointException(path, $"section '{name}' is corrupted (SHA-256 mismatch).");
            if (!sections.TryAdd(name, (offset, (int)length)))
                throw new CheckpointException(path, $"section '{name}' appears twice; the file is corrupted.");
            names.Add(name);
        }

        int end = reader.Position;
        ReadOnlySpan<byte> marker = reader.Bytes(CheckpointFormat.EndMarker.Length, "the end marker");
        if (!marker.SequenceEqual(CheckpointFormat.EndMarker))
            throw new CheckpointException(path, "the end marker is missing; the file is corrupted.");
        ReadOnlySpan<byte> fileHash = reader.Bytes(CheckpointFormat.HashSize, "the file hash");
        if (!SHA256.HashData(bytes.AsSpan(0, end + CheckpointFormat.EndMarker.Length)).AsSpan().SequenceEqual(fileHash))
            throw new CheckpointException(path, "the file is corrupted (SHA-256 of the whole file mismatch).");
        if (reader.Position != bytes.Length)
            throw new CheckpointException(path, $"{bytes.Length - reader.Position} unexpected bytes after the end of the checkpoint.");
        return new Checkpoint(path, bytes, metadata, sections, names);
    }

    /// <summary>Whether a section exists.</summary>
    /// <param name="name">Section name.</param>
    /// <returns>True when present.</returns>
    public bool HasSection(string name) => _sections.ContainsKey(name);

    /// <summary>A read-only stream over a section's bytes.</summary>
    /// <param name="name">Section name.</param>
    /// <returns>A new stream.</returns>
    /// <exception cref="CheckpointException">No such section.</exception>
    public Stream OpenSection(string name)
    {
        var (offset, length) = Section(name);
        return new MemoryStream(_bytes, offset, length, writable: false);
    }

    /// <summary>A copy of a section's bytes.</summary>
    /// <param name="name">Section name.</param>
    /// <returns>The bytes.</returns>
    /// <exception cref="CheckpointException">No such section.</exception>
    public byte[] ReadSection(string name)
    {
        var (offset, length) = Section(name);
        return _bytes.AsSpan(offset, length).ToArray();
    }

    /// <summary>Checks the kind of run.</summary>
    /// <param name="kind">The expected kind, such as "evaluation".</param>
    /// <exception cref="CheckpointException">The checkpoint is of another kind.</exception>
    public void EnsureKind(string kind)
    {
        if (!string.Equals(Metadata.Kind, kind, StringComparison.Ordinal))
            throw new CheckpointException(Path, $"it is a '{Metadata.Kind}' checkpoint, not '{kind}'.");
    }

    /// <summary>Checks that the checkpoint describes a run of the expected shape.</summary>
    /// <param name="expected">The fingerprint of the run that wants to resume.</param>
    /// <exception cref="CheckpointException">Some parts differ; the message lists each one with both values.</exception>
    public void EnsureFingerprint(CheckpointFingerprint expected)
    {
        IReadOnlyList<string> differences = Metadata.Fingerprint.Differences(expected);
        if (differences.Count > 0)
            throw new CheckpointException(Path, $"it was written by a different run ({string.Join("; ", differences)}).");
    }

    /// <summary>Loads a module's parameters and buffers from a section written by <see cref="CheckpointWriter.AddModule"/> (strict: names and shapes must match).</summary>
    /// <param name="module">The module to fill.</param>
    /// <param name="name">Section name.</param>
    /// <exception cref="CheckpointException">The section is missing or does not fit the module.</exception>
    public void LoadModule(torch.nn.Module module, string name = CheckpointWriter.NetworkSection)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var stream = OpenSection(name);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            module.load(reader, strict: true);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException or KeyNotFoundException or FormatException)
        {
            throw new CheckpointException(Path, $"section '{name}' does not fit the module: {ex.Message}", ex);
        }
    }

    /// <summary>Loads an optimiser's state from a section written by <see cref="CheckpointWriter.AddOptimizer"/>.</summary>
    /// <param name="optimizer">The optimiser, built over the same parameters as the saved one.</param>
    /// <param name="name">Section name.</param>
    /// <exception cref="CheckpointException">The section is missing or does not fit the optimiser.</exception>
    public void LoadOptimizer(OptimizerHelper optimizer, string name = CheckpointWriter.OptimizerSection)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        using var stream = OpenSection(name);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            optimizer.load_state_dict(reader);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException or KeyNotFoundException or FormatException)
        {
            throw new CheckpointException(Path, $"section '{name}' does not fit the optimiser: {ex.Message}", ex);
        }
    }

    /// <summary>Restores torch's default CPU generator from a section written by <see cref="CheckpointWriter.AddRngState"/>.</summary>
    /// <param name="name">Section name.</param>
    /// <exception cref="CheckpointException">The section is missing.</exception>
    public void RestoreRngState(string name = CheckpointWriter.RngSection)
    {
        byte[] state = ReadSection(name);
        using var tensor = torch.tensor(state, torch.uint8);
        torch.random.set_rng_state(tensor);
    }

    private (int Offset, int Length) Section(string name) =>
        _sections.TryGetValue(name, out var s)
            ? s
            : throw new CheckpointException(Path, $"it has no section '{name}' (sections: {string.Join(", ", SectionNames)}).");

    private static CheckpointMetadata ParseMetadata(string path, ReadOnlySpan<byte> json)
    {
        CheckpointFormat.MetadataDocument? doc;
        try
        {
            doc = JsonSerializer.Deserialize<CheckpointFormat.MetadataDocument>(json, CheckpointFormat.Json);
        }
        catch (JsonException ex)
        {
            throw new CheckpointException(path, $"the metadata is not valid JSON: {ex.Message}", ex);
        }

        if (doc?.Kind is null || doc.Fingerprint is null)
            throw new CheckpointException(path, "the metadata lacks \"kind\" or \"fingerprint\".");
        JsonElement history = doc.History.ValueKind == JsonValueKind.Undefined
            ? JsonSerializer.SerializeToElement(Array.Empty<object>())
            : doc.History.Clone();
        var values = (doc.Values ?? []).ToDictionary(p => p.Key, p => p.Value.Clone(), StringComparer.Ordinal);
        return new CheckpointMetadata(doc.Kind, new CheckpointFingerprint(doc.Fingerprint), doc.Epoch, doc.Step, doc.CreatedUtc, history, values);
    }

    /// <summary>Bounds-checked little-endian reads that report truncation as a <see cref="CheckpointException"/>.</summary>
    private sealed class Reader(string path, byte[] bytes)
    {
        public int Position { get; private set; }

        public void Skip(int count, string what) => Bytes(count, what);

        public ReadOnlySpan<byte> Bytes(int count, string what)
        {
            if (count < 0 || count > bytes.Length - Position)
                throw new CheckpointException(path, $"the file is truncated: {what} needs {count} bytes at offset {Position}, but the file has {bytes.Length} bytes.");
            var span = bytes.AsSpan(Position, count);
            Position += count;
            return span;
        }

        public uint UInt32(string what) => System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4, what));

        public int Int32(string what) => System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(Bytes(4, what));

        public long Int64(string what) => System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(Bytes(8, what));

        public string String(string what)
        {
            int length = 0, shift = 0;
            byte b;
            do
            {
                if (shift > 28)
                    throw new CheckpointException(path, $"{what} has an invalid length; the file is corrupted.");
                b = Bytes(1, what)[0];
                length |= (b & 0x7F) << shift;
                shift += 7;
            }
            while ((b & 0x80) != 0);
            return Encoding.UTF8.GetString(Bytes(length, what));
        }
    }
}
