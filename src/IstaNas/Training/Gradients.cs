using TorchSharp.Modules;

namespace IstaNas.Training;

/// <summary>Gradient housekeeping shared by the training loops.</summary>
internal static class Gradients
{
    /// <summary>
    /// Drops the gradients (PyTorch's <c>zero_grad(set_to_none=True)</c>). Parameters that a step does not reach —
    /// the candidates outside the support — then have no gradient, so SGD and Adam skip them entirely (no weight decay,
    /// no momentum drift) and a run resumed from a checkpoint continues exactly like an uninterrupted one.
    /// TorchSharp's <c>zero_grad()</c> zeroes the tensors in place instead, which makes idle parameters keep moving.
    /// </summary>
    public static void Clear(IEnumerable<Parameter> parameters)
    {
        foreach (Parameter p in parameters) p.grad = null;
    }
}
