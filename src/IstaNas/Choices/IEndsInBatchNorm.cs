using TorchSharp.Modules;

namespace IstaNas.Choices;

/// <summary>
/// A module with its own forward code that says whether its output is the output of one of its BNs (nothing added or
/// applied after it), so that one-stage ISTA-NAS can absorb a choice's alpha into that BN. Plain <c>Sequential</c>
/// candidates need no such help: their last module is looked at.
/// </summary>
internal interface IEndsInBatchNorm
{
    /// <summary>The BN whose output is the module's output, or null when something follows it (a shortcut's Add, say).</summary>
    BatchNorm? FinalBatchNorm { get; }
}
