namespace IstaNas.Strategies;

/// <summary>Options of a run that trains architecture parameters (every search strategy).</summary>
internal interface IArchitectureOptimized
{
    /// <summary>The Adam optimiser of the architecture parameters.</summary>
    ArchitectureOptimizerOptions Architecture { get; }
}
