using System.ComponentModel.DataAnnotations;
using IstaNas.Training;
using IstaNas.Validation;

namespace IstaNas.Strategies;

/// <summary>
/// One-stage ISTA-NAS (docs/concepts.md, "One-stage search"): search and train the target network in one run.
/// Defaults are the authors': the target network's settings (<see cref="TargetTrainingOptions"/>: 20 cells, 36 channels,
/// batch 96, auxiliary head, cutout, drop path 0.2), epsilon 1e-3, a 3.7 M parameter budget, no cap on the search, and 600
/// training epochs once the architecture is fixed, with the learning rate held at 0.025 while nodes search and then
/// cosine-annealed to a floor of 0.001 (the authors' <c>train_search_single.py</c>; the evaluation trainer anneals to 0).
/// On a model with choices (<c>SearchBuilder.UseSpace</c>) the network settings (C, L, auxiliary head, drop path) are not
/// used: the model trains as it is built (docs/search-spaces.md, "One-stage on your space").
/// </summary>
public sealed class OneStageOptions : TargetTrainingOptions, IArchitectureOptimized
{
    /// <summary>The Adam optimiser of the latent vectors b.</summary>
    public ArchitectureOptimizerOptions Architecture { get; set; } = new();

    /// <summary>
    /// Optional cap on search epochs: nodes still searching then are frozen at their current code, with a warning in the
    /// log and in <see cref="SearchResult.Warnings"/>. Null (the default) searches until every node has converged, as the
    /// authors do (their runs froze every node after about 120 epochs).
    /// </summary>
    [Range(1, 100_000)]
    public int? MaxSearchEpochs { get; set; }

    /// <summary>A node freezes when ||z_new - z_old||_2 after an epoch's recovery is at most epsilon.</summary>
    [Range(0.0, 1e6)]
    public double Epsilon { get; set; } = 1e-3;

    /// <summary>
    /// Parameter budget (in millions, as DARTS' count_parameters_in_MB, auxiliary head excluded) of the network a code
    /// derives at this run's size: a new code whose network has at least this many is rejected and the previous code kept
    /// (the authors' <c>param_size &gt;= 3.7</c>). On a model with choices the count is that of the model fixed to the picks
    /// (its parameters less those of the candidates not picked). Null disables the check.
    /// </summary>
    [Range(0.0, 1e6)]
    public double? ParameterBudgetMillions { get; set; } = 3.7;

    /// <summary>
    /// Keep stepping the weights of candidates outside the current support (the default), as the authors'
    /// <c>w_optimizer.zero_grad()</c> on PyTorch 1.x does (<c>ista_nas_single/search/inner_trainer.py</c>, line 57): SGD keeps
    /// applying momentum and weight decay to every weight that ever had a gradient. False drops the gradients instead, so
    /// idle candidates stay frozen until they re-enter. The latent vectors b are never stepped once their node froze
    /// (the authors' Adam skips parameters without <c>requires_grad</c>).
    /// </summary>
    public bool StepIdleCandidates { get; set; } = true;

    /// <summary>
    /// The one-stage search the authors published: their README and <c>main_search_onestage.sh</c> (line 1) run
    /// <c>python ./tools/train_search_single.py --cutout --auxiliary</c> on top of the script's argparse defaults
    /// (<c>tools/train_search_single.py</c>, lines 18-44; seed 5, CIFAR-10): C = 36, L = 20, batch 96, SGD lr 0.025 (held
    /// while searching, then cosine to 0.001), momentum 0.9, weight decay 3e-4, grad clip 5, cutout 16, auxiliary weight
    /// 0.4, drop path 0.2, 600 training epochs, Adam lr 3e-4 and weight decay 1e-3 on b; the freeze threshold 1e-3 and the
    /// 3.7 M budget are in their <c>ista_nas_single/trainer.py</c> (lines 119 and 206). These are also the defaults.
    /// </summary>
    /// <returns>New options; change any of them before use.</returns>
    public static OneStageOptions Paper() => new();

    /// <inheritdoc />
    public override IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        base.Validate(validationContext).Concat(OptionsValidation.Nested(Architecture, nameof(Architecture)));
}
