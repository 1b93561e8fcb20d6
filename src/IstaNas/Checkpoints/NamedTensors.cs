using System.Text;
using static TorchSharp.torch;

namespace IstaNas.Checkpoints;

/// <summary>
/// Named tensors in one checkpoint section: per tensor its name, dtype, shape and raw bytes (host order). Loading copies
/// the saved values into existing tensors of the same names, shapes and types, as PyTorch's <c>load_state_dict</c>.
/// </summary>
internal static class NamedTensors
{
    /// <summary>The section writer of <paramref name="tensors"/> (their values when the checkpoint is saved).</summary>
    public static Action<Stream> Write(IReadOnlyDictionary<string, Tensor> tensors) => stream =>
    {
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(tensors.Count);
        foreach ((string name, Tensor tensor) in tensors.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            using var scope = NewDisposeScope();
            Tensor host = tensor.detach().cpu().contiguous();
            w.Write(name);
            w.Write((int)host.dtype);
            w.Write(host.shape.Length);
            foreach (long d in host.shape) w.Write(d);
            byte[] bytes = host.bytes.ToArray();
            w.Write(bytes.Length);
            w.Write(bytes);
        }
    };

    /// <summary>Copies the section's tensors into <paramref name="tensors"/>; every one must be there with its shape and type.</summary>
    /// <exception cref="CheckpointException">The section is missing or unreadable, or a tensor is missing or does not fit.</exception>
    public static void Read(Checkpoint checkpoint, string section, IReadOnlyDictionary<string, Tensor> tensors)
    {
        if (!checkpoint.HasSection(section))
            throw new CheckpointException(checkpoint.Path, $"it has no section '{section}' for the strategy's tensors ({string.Join(", ", tensors.Keys)}).");
        var saved = new Dictionary<string, (ScalarType Type, long[] Shape, byte[] Bytes)>(StringComparer.Ordinal);
        try
        {
            using var r = new BinaryReader(new MemoryStream(checkpoint.ReadSection(section)), Encoding.UTF8);
            int count = r.ReadInt32();
            for (int i = 0; i < count; i++)
            {
                string name = r.ReadString();
                var type = (ScalarType)r.ReadInt32();
                long[] shape = new long[r.ReadInt32()];
                for (int d = 0; d < shape.Length; d++) shape[d] = r.ReadInt64();
                saved[name] = (type, shape, r.ReadBytes(r.ReadInt32()));
            }
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException or OverflowException or ArgumentException)
        {
            throw new CheckpointException(checkpoint.Path, $"its section '{section}' is unreadable: {ex.Message}", ex);
        }

        foreach ((string name, Tensor target) in tensors)
        {
            if (!saved.TryGetValue(name, out var s))
                throw new CheckpointException(checkpoint.Path, $"it has no tensor '{name}' (it holds {string.Join(", ", saved.Keys)}).");
            if (s.Type != target.dtype || !s.Shape.SequenceEqual(target.shape))
                throw new CheckpointException(checkpoint.Path,
                    $"its tensor '{name}' is {s.Type} [{string.Join(", ", s.Shape)}], the run's is {target.dtype} [{string.Join(", ", target.shape)}].");
            using var scope = NewDisposeScope();
            Tensor host = empty(s.Shape, s.Type);
            if (host.bytes.Length != s.Bytes.Length)
                throw new CheckpointException(checkpoint.Path, $"its tensor '{name}' has {s.Bytes.Length} bytes, not the {host.bytes.Length} of its shape.");
            host.bytes = s.Bytes;
            using (no_grad()) target.copy_(host);
        }
    }
}
