using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.SparseCoding;

/// <summary>
/// Chooses the coder per solve from the problem's size and device (<see cref="SelectCoder(SparseCodingProblem)"/>):
/// the exact <see cref="ActiveSetSparseCoder"/> when the problems are on the CPU, small (nMax &lt;=
/// <see cref="MaxActiveSetColumns"/>, m &lt;= <see cref="MaxActiveSetRows"/>) and lambda &gt; 0; batched FISTA
/// (<see cref="TensorSparseCoder"/>) otherwise (large problems, CUDA tensors, lambda = 0). Deciding per solve keeps
/// one coder valid for any problem it is given; the choice costs a few comparisons.
/// </summary>
internal sealed class AutoSparseCoder : ISparseCoder
{
    /// <summary>Largest nMax solved by the active-set coder.</summary>
    public const int MaxActiveSetColumns = 2048;

    /// <summary>Largest m solved by the active-set coder (its pivots cost O(k^3) for k &lt;= m active columns).</summary>
    public const int MaxActiveSetRows = 256;

    /// <summary>Creates the coder and its two delegates from the options (copied and validated).</summary>
    /// <param name="options">Lambda, tolerance and the FISTA settings.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public AutoSparseCoder(SparseCoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var copy = SparseCoder.ValidatedCopy(options);
        Options = copy;
        ActiveSet = new ActiveSetSparseCoder(copy);
        var fista = SparseCoder.ValidatedCopy(copy);
        fista.Method = SparseCodingMethod.Fista;
        Fista = new TensorSparseCoder(fista);
    }

    /// <summary>Creates the coder from options bound through Microsoft.Extensions.Options.</summary>
    /// <param name="options">The bound options.</param>
    public AutoSparseCoder(IOptions<SparseCoderOptions> options)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value)
    {
    }

    /// <inheritdoc />
    public SparseCoderOptions Options { get; }

    /// <summary>The exact coder used for small CPU problems.</summary>
    public ActiveSetSparseCoder ActiveSet { get; }

    /// <summary>The batched FISTA coder used otherwise.</summary>
    public TensorSparseCoder Fista { get; }

    /// <summary>The coder <see cref="Solve"/> delegates <paramref name="problem"/> to.</summary>
    /// <param name="problem">The batch to solve.</param>
    /// <returns><see cref="ActiveSet"/> or <see cref="Fista"/>.</returns>
    public ISparseCoder SelectCoder(SparseCodingProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var small = problem.Device.type == DeviceType.CPU
            && problem.MaxColumns <= MaxActiveSetColumns
            && problem.Rows <= MaxActiveSetRows
            && Options.Lambda > 0;
        return small ? ActiveSet : Fista;
    }

    /// <inheritdoc />
    public SparseCodeResult Solve(SparseCodingProblem problem, Tensor? warmStart = null) =>
        SelectCoder(problem).Solve(problem, warmStart);
}
