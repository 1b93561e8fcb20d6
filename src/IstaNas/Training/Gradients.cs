using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Training;

/// <summary>Gradient housekeeping shared by the training loops.</summary>
internal static class Gradients
{
    /// <summary>
    /// Drops the gradients (PyTorch's <c>zero_grad(set_to_none=True)</c>). Parameters that a step does not reach —
    /// the candidates outside the support — then have no gradient, so SGD and Adam skip them entirely (no weight decay,
    /// no momentum drift). TorchSharp's <c>zero_grad()</c> zeroes the tensors in place instead, which makes idle
    /// parameters keep moving.
    /// </summary>
    public static void Clear(IEnumerable<Parameter> parameters)
    {
        foreach (Parameter p in parameters) p.grad = null;
    }

    /// <summary>
    /// Before a step: <paramref name="zeroFill"/> zeroes the gradients in place, as <c>optimizer.zero_grad()</c> on the
    /// PyTorch 1.x of the authors' code (a parameter that ever had a gradient keeps a zero one, so SGD keeps applying
    /// momentum and weight decay to it while its candidate is outside the support); false drops them (<see cref="Clear"/>).
    /// </summary>
    public static void Reset(IEnumerable<Parameter> parameters, bool zeroFill)
    {
        if (!zeroFill)
        {
            Clear(parameters);
            return;
        }

        foreach (Parameter p in parameters)
        {
            using Tensor? grad = p.grad;
            grad?.zero_();
        }
    }

    /// <summary>Positions in <paramref name="parameters"/> of those that hold a gradient (a checkpoint stores them).</summary>
    public static int[] Held(IReadOnlyList<Parameter> parameters)
    {
        var held = new List<int>();
        for (int i = 0; i < parameters.Count; i++)
        {
            using Tensor? grad = parameters[i].grad;
            if (grad is not null) held.Add(i);
        }

        return [.. held];
    }

    /// <summary>
    /// Gives the parameters at <paramref name="positions"/> a zero gradient (and drops the others'), so that a resumed run
    /// steps the same parameters as the uninterrupted one: the next step zeroes every held gradient anyway.
    /// </summary>
    /// <exception cref="ArgumentException">A position is outside the list.</exception>
    public static void Restore(IReadOnlyList<Parameter> parameters, IReadOnlyCollection<int> positions)
    {
        foreach (int i in positions)
            if (i < 0 || i >= parameters.Count)
                throw new ArgumentException($"Gradient position {i} is outside the {parameters.Count} parameters.", nameof(positions));
        Clear(parameters);
        foreach (int i in positions)
        {
            using Tensor zeros = zeros_like(parameters[i]);
            parameters[i].grad = zeros;
        }
    }
}
