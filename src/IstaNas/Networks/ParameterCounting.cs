using TorchSharp;

namespace IstaNas.Networks;

/// <summary>Parameter counts as DARTS reports them.</summary>
internal static class ParameterCounting
{
    /// <summary>
    /// Number of scalar parameters of <paramref name="module"/> (DARTS <c>count_parameters_in_MB</c> times 1e6):
    /// every parameter, except, unless <paramref name="includeAuxiliary"/>, those whose name contains
    /// <see cref="CellNetwork.AuxiliaryParameterPrefix"/>.
    /// </summary>
    /// <param name="module">The network.</param>
    /// <param name="includeAuxiliary">Whether to count the auxiliary head.</param>
    /// <returns>The number of scalar parameters.</returns>
    public static long Count(torch.nn.Module module, bool includeAuxiliary = false)
    {
        ArgumentNullException.ThrowIfNull(module);
        return module.named_parameters()
            .Where(p => includeAuxiliary || !p.name.Contains(CellNetwork.AuxiliaryParameterPrefix, StringComparison.Ordinal))
            .Sum(p => p.parameter.numel());
    }
}
