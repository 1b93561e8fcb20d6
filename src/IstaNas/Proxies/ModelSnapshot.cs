using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Proxies;

/// <summary>
/// A copy of a model's parameters, buffers, dtype and mode, put back on dispose, so a proxy that changes them (signs,
/// dtype, running statistics, gradients) leaves the model as it found it.
/// </summary>
internal sealed class ModelSnapshot : IDisposable
{
    private readonly nn.Module _model;
    private readonly List<(string Name, Tensor Copy)> _state;
    private readonly bool _training;
    private readonly ScalarType? _dtype;

    public ModelSnapshot(nn.Module model)
    {
        _model = model;
        _training = model.training;
        _dtype = model.parameters().Select(p => (ScalarType?)p.dtype).FirstOrDefault();
        _state = [.. model.state_dict().Select(kv => (kv.Key, kv.Value.detach().clone()))];
    }

    public void Dispose()
    {
        if (_dtype is { } dtype) _model.to(dtype);
        using (torch.no_grad())
        {
            Dictionary<string, Tensor> state = _model.state_dict();
            foreach (var (name, copy) in _state)
            {
                state[name].copy_(copy);
                copy.Dispose();
            }
        }

        foreach (var p in _model.parameters()) p.grad = null;
        _model.train(_training);
    }
}
