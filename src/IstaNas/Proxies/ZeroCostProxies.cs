using IstaNas.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Proxies;

/// <summary>
/// Zero-cost proxies: scores of an untrained network that rank architectures without training, for any model (any search
/// space's fixed network). Definitions follow the authors' code: <c>synflow</c> and <c>jacob_cov</c> as SamsungLabs/zero-cost-nas
/// (Abdelfattah et al., ICLR 2021), <c>nwot</c> as BayesWatch/nas-without-training v2 (Mellor et al., ICML 2021). Each puts
/// the model in training mode as the references do, and restores its parameters, buffers, dtype, mode and gradients
/// afterwards. TorchSharp's dtype conversion (synflow) replaces the parameter objects: score before making an optimizer.
/// </summary>
public static class ZeroCostProxies
{
    /// <summary>
    /// synflow (Tanaka et al. 2020; data-free): every state tensor replaced by its absolute value, the model in float64,
    /// one all-ones input, <c>R = sum(output)</c>; the score is <c>sum |theta * dR/dtheta|</c> over the weights of every
    /// <c>Conv2d</c> and <c>Linear</c>. The reference scores a copy without BN (its NAS-Bench-201 copy drops BN from the
    /// stem, cells and head; the reductions keep theirs): pass such a model for its figures.
    /// </summary>
    /// <param name="model">The network; left as it was.</param>
    /// <param name="inputShape">One sample's shape, e.g. [3, 32, 32].</param>
    /// <returns>The score (larger is better).</returns>
    public static double Synflow(nn.Module<Tensor, Tensor> model, IReadOnlyList<long> inputShape)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShape);
        if (inputShape.Count == 0 || inputShape.Any(d => d < 1))
            throw new ArgumentException($"inputShape must be one sample's positive dimensions, e.g. [3, 32, 32]; got [{string.Join(", ", inputShape)}].", nameof(inputShape));
        using var snapshot = new ModelSnapshot(model);
        using var scope = NewDisposeScope();
        model.train();
        model.to(ScalarType.Float64);
        using (torch.no_grad())
        {
            foreach (var (_, value) in model.state_dict())
            {
                if (value.is_floating_point()) value.abs_();
            }
        }

        foreach (var p in model.parameters()) p.grad = null;
        Tensor input = torch.ones([1, .. inputShape], ScalarType.Float64);
        Tensor output = model.call(input);
        output.sum().backward();
        double score = 0;
        foreach (var layer in model.modules().Prepend(model).Distinct())
        {
            Parameter? weight = layer switch { Conv2d c => c.weight, Linear l => l.weight, _ => null };
            if (weight?.grad is { } grad) score += weight.mul(grad).abs().sum().item<double>();
        }

        return score;
    }

    /// <summary>
    /// NWOT / NASWOT (Mellor et al., v2): for a batch, each ReLU module's input is a binary code per sample (positive or
    /// not); <c>K = sum over ReLUs of c c^T + (1 - c)(1 - c)^T</c> (the number of units on which two samples agree), and the
    /// score is <c>log |det K|</c>. Only ReLUs that are modules (<c>nn.ReLU</c>) called through <c>call</c> are seen.
    /// </summary>
    /// <param name="model">The network; left as it was.</param>
    /// <param name="batch">A batch of inputs (N, ...), N &gt;= 2.</param>
    /// <returns>The score (larger is better); negative infinity when K is singular.</returns>
    public static double Nwot(nn.Module<Tensor, Tensor> model, Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckBatch(batch);
        using var snapshot = new ModelSnapshot(model);
        using var scope = NewDisposeScope();
        model.train();
        long n = batch.shape[0];
        Tensor kernel = torch.zeros([n, n], ScalarType.Float64);
        var removers = new List<Action>();
        foreach (var relu in model.modules().OfType<ReLU>())
        {
            var hook = relu.register_forward_hook((_, input, output) =>
            {
                using var inner = NewDisposeScope();
                Tensor code = input.detach().reshape(n, -1).gt(0).to(ScalarType.Float64);
                Tensor other = code.neg().add_(1.0);
                kernel.add_(code.matmul(code.t())).add_(other.matmul(other.t()));
                return output;
            });
            removers.Add(hook.remove);
        }

        try
        {
            if (removers.Count == 0)
                throw new ArgumentException("The model has no nn.ReLU modules; NWOT reads the binary codes at the ReLUs' inputs.", nameof(model));
            using (torch.no_grad()) model.call(batch);
        }
        finally
        {
            foreach (Action remove in removers) remove();
        }

        var (_, logAbsDet) = torch.linalg.slogdet(kernel);
        return logAbsDet.item<double>();
    }

    /// <summary>
    /// jacob_cov (Mellor et al. v1, as Abdelfattah et al. compute it): the gradient J of the summed outputs with respect to
    /// each input, one row per sample; the eigenvalues v of the rows' correlation matrix give
    /// <c>-sum(log(v + k) + 1 / (v + k))</c>, k = 1e-5. NaN when a row is constant (e.g. a network whose output ignores
    /// its input), as the reference.
    /// </summary>
    /// <param name="model">The network; left as it was.</param>
    /// <param name="batch">A batch of inputs (N, ...), N &gt;= 2.</param>
    /// <returns>The score (larger is better), or NaN.</returns>
    /// <exception cref="InvalidOperationException">LibTorch computes wrong convolution gradients on this CPU (<see cref="TorchConvolutions.CheckGradients"/>).</exception>
    public static double JacobCov(nn.Module<Tensor, Tensor> model, Tensor batch)
    {
        var (score, gradients) = JacobCovWithGradients(model, batch);
        gradients.Dispose();
        return score;
    }

    /// <summary>
    /// <see cref="JacobCov"/> and the per-sample input gradients it is computed from (N, ...), in the model's dtype; the
    /// caller disposes them. For comparing with the reference code weight for weight.
    /// </summary>
    internal static (double Score, Tensor Gradients) JacobCovWithGradients(nn.Module<Tensor, Tensor> model, Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckBatch(batch);
        if (batch.dtype != ScalarType.Float64) TorchConvolutions.EnsureRightGradients(batch.device); // the score is built on input gradients
        using var snapshot = new ModelSnapshot(model);
        using var scope = NewDisposeScope();
        model.train();
        foreach (var p in model.parameters()) p.grad = null;
        Tensor x = batch.detach().clone().requires_grad_(true);
        Tensor y = model.call(x);
        y.backward([torch.ones_like(y)]);
        Tensor gradients = x.grad!.detach().clone();
        double score = JacobCovScore(gradients.reshape(x.shape[0], -1));
        return (score, gradients.MoveToOuterDisposeScope());
    }

    /// <summary>The jacob_cov score of per-sample gradients (N, D): <c>-sum(log(v + k) + 1/(v + k))</c> over the eigenvalues v of their correlation matrix.</summary>
    internal static double JacobCovScore(Tensor jacobian)
    {
        using var scope = NewDisposeScope();
        Tensor rows = jacobian.to(ScalarType.Float64);
        Tensor centred = rows.sub(rows.mean([1], keepdim: true));
        Tensor norms = centred.pow(2).sum(1).sqrt();
        Tensor correlation = centred.matmul(centred.t()).div(norms.unsqueeze(1).mul(norms.unsqueeze(0)));
        if (correlation.isnan().any().item<bool>()) return double.NaN;
        Tensor v = torch.linalg.eigvalsh(correlation);
        const double k = 1e-5;
        return -v.add(k).log().add(v.add(k).reciprocal()).sum().item<double>();
    }

    private static void CheckBatch(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.dim() < 2 || batch.shape[0] < 2)
            throw new ArgumentException($"The proxy needs a batch of at least 2 samples (N, ...); got shape [{string.Join(", ", batch.shape)}].", nameof(batch));
    }
}
