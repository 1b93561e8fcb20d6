using System.ComponentModel.DataAnnotations;
using IstaNas.Training;
using IstaNas.Validation;

namespace IstaNas.Strategies;

/// <summary>
/// Two-stage ISTA-NAS (docs/concepts.md, "Two-stage search"). The defaults are the argparse defaults of the authors'
/// <c>tools/train_search.py</c> (lines 19-42): proxy network of 8 cells and 16 channels, batch 64, SGD lr 0.025 to 0.001,
/// 50 epochs, half of the training set for W and half for b, Adam lr 3e-4 on b. The command the authors published (their
/// README and <c>main_search.sh</c>) changes three of them (batch 256, lr 0.1, lr 6e-4 on b): <c>TwoStageOptions.Paper()</c>.
/// </summary>
public sealed class TwoStageOptions : TrainingOptions, IArchitectureOptimized
{
    /// <summary>The Adam optimiser of the architecture parameters (the latent vectors b).</summary>
    public ArchitectureOptimizerOptions Architecture { get; set; } = new();

    /// <summary>Share of the training set that trains W; the rest trains b. Default 0.5.</summary>
    [Range(0.01, 0.99)]
    public double TrainPortion { get; set; } = 0.5;

    /// <summary>
    /// Count the latent vectors' gradient in the gradient-norm clip of W (the default), as the authors'
    /// <c>clip_grad_norm_(model.parameters(), 5)</c> in <c>ista_nas/search/inner_trainer.py</c> (line 67): b is a parameter
    /// of their model, and when the norm is taken its gradient holds the b-step's validation gradient plus the W-step's
    /// training gradient (only W's optimiser is zeroed before the W step), so their W steps shrink when b's gradient is
    /// large. False clips W's gradient alone, as their one-stage code does (b outside <c>parameters()</c>) and DARTS.
    /// </summary>
    public bool GradClipIncludesLatent { get; set; } = true;

    /// <summary>
    /// Keep stepping the weights of candidates outside the current support (the default), as the authors' code does: its
    /// <c>optimizer.zero_grad()</c> on PyTorch 1.x fills gradients with zeros, so SGD keeps applying momentum and weight
    /// decay to every weight that ever had a gradient, and a candidate re-enters with the weights that drift gave it. False
    /// drops the gradients instead (<c>set_to_none</c>): idle candidates stay frozen until they re-enter, and SGD touches
    /// only the weights of the support.
    /// </summary>
    public bool StepIdleCandidates { get; set; } = true;

    /// <summary>
    /// The two-stage search the authors published: their README and <c>main_search.sh</c> (line 1) run
    /// <c>python ./tools/train_search.py --batch_size 256 --learning_rate 0.1 --arch_learning_rate 6e-4</c> on top of the
    /// script's argparse defaults (<c>tools/train_search.py</c>, lines 18-42; seed 2, CIFAR-10). So: batch 256, SGD lr 0.1
    /// cosine-annealed to 0.001, Adam lr 6e-4 on b, and the defaults for the rest (C = 16, L = 8, 50 epochs, momentum 0.9,
    /// weight decay 3e-4, grad clip 5 over W and b, train portion 0.5, no cutout, arch weight decay 1e-3).
    /// </summary>
    /// <returns>New options; change any of them before use.</returns>
    public static TwoStageOptions Paper() => new()
    {
        BatchSize = 256,
        LearningRate = 0.1,
        Architecture = new ArchitectureOptimizerOptions { LearningRate = 6e-4 },
    };

    /// <inheritdoc />
    public override IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        base.Validate(validationContext).Concat(OptionsValidation.Nested(Architecture, nameof(Architecture)));
}
