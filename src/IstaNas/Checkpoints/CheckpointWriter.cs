using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IstaNas.IO;
using TorchSharp;
using TorchSharp.Modules;

namespace IstaNas.Checkpoints;

/// <summary>
/// Collects a checkpoint's metadata and named binary sections and writes them as one file, atomically: the file is
/// written to a temporary file beside the target, flushed to disk and renamed over it, so a crash at any moment
/// leaves the previous checkpoint intact. Sections given as callbacks run during <see cref="Save"/>.
/// </summary>
internal sealed class CheckpointWriter
{
    /// <summary>Conventional section name of the network weights.</summary>
    public const string NetworkSection = "network";

    /// <summary>Conventional section name of the optimiser state.</summary>
    public const string OptimizerSection = "optimizer";

    /// <summary>Conventional section name of the torch random generator state.</summary>
    public const string RngSection = "rng";

    private readonly List<(string Name, Action<Stream> Write)> _sections = [];
    private readonly Dictionary<string, JsonElement> _values = new(StringComparer.Ordinal);
    private JsonElement _history = JsonSerializer.SerializeToElement(Array.Empty<object>());

    /// <summary>Starts a checkpoint.</summary>
    /// <param name="kind">Kind of run, such as "evaluation", "two-stage" or "one-stage".</param>
    /// <param name="fingerprint">The run's shape, checked by <see cref="Checkpoint.EnsureFingerprint"/> on resume.</param>
    public CheckpointWriter(string kind, CheckpointFingerprint fingerprint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentNullException.ThrowIfNull(fingerprint);
        Kind = kind;
        Fingerprint = fingerprint;
    }

    /// <summary>Kind of run.</summary>
    public string Kind { get; }

    /// <summary>The run's shape.</summary>
    public CheckpointFingerprint Fingerprint { get; }

    /// <summary>Completed epochs (0-based index of the next epoch).</summary>
    public int Epoch { get; set; }

    /// <summary>Completed steps of epoch <see cref="Epoch"/> (0 at an epoch boundary).</summary>
    public int Step { get; set; }

    /// <summary>Names of the sections added so far.</summary>
    public IReadOnlyList<string> SectionNames => _sections.Select(s => s.Name).ToArray();

    /// <summary>Sets the history (serialised to a JSON array now).</summary>
    /// <typeparam name="T">Entry type.</typeparam>
    /// <param name="history">The entries.</param>
    /// <returns>This writer.</returns>
    public CheckpointWriter SetHistory<T>(IEnumerable<T> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        _history = JsonSerializer.SerializeToElement(history.ToList(), CheckpointFormat.Json);
        return this;
    }

    /// <summary>Sets a named JSON value (serialised now; replaces a value of the same name).</summary>
    /// <typeparam name="T">Value type.</typeparam>
    /// <param name="name">The name.</param>
    /// <param name="value">The value.</param>
    /// <returns>This writer.</returns>
    public CheckpointWriter SetValue<T>(string name, T value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _values[name] = JsonSerializer.SerializeToElement(value, CheckpointFormat.Json);
        return this;
    }

    /// <summary>Adds a section whose bytes <paramref name="write"/> produces during <see cref="Save"/>.</summary>
    /// <param name="name">Section name, unique in the checkpoint.</param>
    /// <param name="write">Writes the section's bytes to the stream it is given.</param>
    /// <returns>This writer.</returns>
    /// <exception cref="ArgumentException">The name is empty or already used.</exception>
    public CheckpointWriter AddSection(string name, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(write);
        if (_sections.Any(s => s.Name == name))
            throw new ArgumentException($"The checkpoint already has a section '{name}'.", nameof(name));
        _sections.Add((name, write));
        return this;
    }

    /// <summary>Adds a section holding a copy of <paramref name="data"/>.</summary>
    /// <param name="name">Section name.</param>
    /// <param name="data">The bytes.</param>
    /// <returns>This writer.</returns>
    public CheckpointWriter AddSection(string name, ReadOnlySpan<byte> data)
    {
        byte[] copy = data.ToArray();
        return AddSection(name, s => s.Write(copy));
    }

    /// <summary>Adds a module's parameters and buffers in TorchSharp's format (<c>Module.save(BinaryWriter)</c>), written during <see cref="Save"/>.</summary>
    /// <param name="module">The module.</param>
    /// <param name="name">Section name; default <see cref="NetworkSection"/>.</param>
    /// <returns>This writer.</returns>
    public CheckpointWriter AddModule(torch.nn.Module module, string name = NetworkSection)
    {
        ArgumentNullException.ThrowIfNull(module);
        return AddSection(name, s =>
        {
            using var writer = new BinaryWriter(s, Encoding.UTF8, leaveOpen: true);
            module.save(writer);
        });
    }

    /// <summary>Adds an optimiser's state (<c>save_state_dict(BinaryWriter)</c>: options of every group and per-parameter buffers such as SGD momentum or Adam moments).</summary>
    /// <param name="optimizer">The optimiser (SGD, Adam, ...).</param>
    /// <param name="name">Section name; default <see cref="OptimizerSection"/>.</param>
    /// <returns>This writer.</returns>
    public CheckpointWriter AddOptimizer(OptimizerHelper optimizer, string name = OptimizerSection)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        return AddSection(name, s =>
        {
            using var writer = new BinaryWriter(s, Encoding.UTF8, leaveOpen: true);
            optimizer.save_state_dict(writer);
        });
    }

    /// <summary>Adds the state of torch's default CPU generator (<c>torch.random.get_rng_state()</c>), captured now.</summary>
    /// <param name="name">Section name; default <see cref="RngSection"/>.</param>
    /// <returns>This writer.</returns>
    public CheckpointWriter AddRngState(string name = RngSection)
    {
        using var state = torch.random.get_rng_state();
        return AddSection(name, state.data<byte>().ToArray());
    }

    /// <summary>Writes the checkpoint to <paramref name="path"/> atomically (see <see cref="AtomicFile.Write"/>).</summary>
    /// <param name="path">The file; its directory is created when missing.</param>
    /// <remarks>If a section callback throws, the exception propagates, the previous file at <paramref name="path"/> is unchanged and no temporary file is left.</remarks>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var document = new CheckpointFormat.MetadataDocument
        {
            Kind = Kind,
            Fingerprint = [.. Fingerprint.Parts],
            Epoch = Epoch,
            Step = Step,
            CreatedUtc = DateTimeOffset.UtcNow,
            History = _history,
            Values = new Dictionary<string, JsonElement>(_values, StringComparer.Ordinal),
        };
        byte[] metadata = JsonSerializer.SerializeToUtf8Bytes(document, CheckpointFormat.Json);
        AtomicFile.Write(path, file =>
        {
            using var hashing = new HashingStream(file);
            using (var w = new BinaryWriter(hashing, Encoding.UTF8, leaveOpen: true))
            {
                w.Write(CheckpointFormat.Magic);
                w.Write((uint)CheckpointFormat.Version);
                w.Write(metadata.Length);
                w.Write(metadata);
                w.Write(SHA256.HashData(metadata));
                w.Write(_sections.Count);
                foreach (var (name, write) in _sections)
                {
                    using var buffer = new MemoryStream();
                    write(buffer);
                    byte[] data = buffer.GetBuffer();
                    int length = (int)buffer.Length;
                    w.Write(name);
                    w.Write((long)length);
                    w.Write(SHA256.HashData(data.AsSpan(0, length)));
                    w.Write(data, 0, length);
                }

                w.Write(CheckpointFormat.EndMarker);
                w.Flush();
            }

            file.Write(hashing.Finish());
        });
    }

    /// <summary>Passes writes through to a stream while hashing them.</summary>
    private sealed class HashingStream(Stream inner) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public byte[] Finish() => _hash.GetHashAndReset();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _hash.AppendData(buffer);
            inner.Write(buffer);
        }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) _hash.Dispose();
            base.Dispose(disposing);
        }
    }
}
