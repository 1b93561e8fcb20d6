using IstaNas.Networks;

namespace IstaNas.Tests.Networks;

/// <summary>Counts the calls of operations through forward hooks (what ran in a forward pass); dispose to remove the hooks.</summary>
internal sealed class CallCounter : IDisposable
{
    private readonly Dictionary<Operation, int> _calls = [];
    private readonly List<Action> _removers = [];

    public CallCounter(IEnumerable<Operation> operations)
    {
        foreach (Operation op in operations)
        {
            _calls[op] = 0;
            var remover = op.register_forward_hook(_ => _calls[op]++);
            _removers.Add(remover.remove);
        }
    }

    /// <summary>Counts the candidate operations of every cell of a super-net.</summary>
    public static CallCounter Candidates(SuperNet net) => new(net.Cells.SelectMany(c => c.Nodes).SelectMany(n => n.Candidates));

    public int this[Operation op] => _calls[op];

    public int Total => _calls.Values.Sum();

    public void Dispose()
    {
        foreach (Action remove in _removers) remove();
    }
}
