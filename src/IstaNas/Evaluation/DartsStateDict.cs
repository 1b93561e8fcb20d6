using System.Globalization;
using IstaNas.Networks;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Evaluation;

/// <summary>
/// The parameters and buffers of an <see cref="EvaluationNetwork"/> under the names <c>state_dict()</c> gives them in
/// DARTS' <c>cnn/model.py</c> (quark0/darts), in that order: <c>NetworkCIFAR</c> (<c>stem.0</c> conv, <c>stem.1</c> BN)
/// or <c>NetworkImageNet</c> (<c>stem0.0/1/3/4</c>, <c>stem1.1/2</c>); per cell <c>cells.i.preprocess0</c> and
/// <c>preprocess1</c> (<c>ReLUConvBN</c>: <c>op.1</c> conv, <c>op.2</c> BN; after a reduction cell <c>preprocess0</c> is a
/// <c>FactorizedReduce</c>: <c>conv_1</c>, <c>conv_2</c>, <c>bn</c>), then <c>cells.i._ops.j</c> in the genotype's edge
/// order (<c>SepConv</c>: <c>op.1, op.2, op.3, op.5, op.6, op.7</c>; <c>DilConv</c>: <c>op.1, op.2, op.3</c>; a skip
/// with stride 2 is a <c>FactorizedReduce</c>; pools, <c>Identity</c> and <c>Zero</c> have none); then
/// <c>auxiliary_head.features.2/3/5/6</c> (ImageNet: <c>2/3/5</c>) and <c>auxiliary_head.classifier</c> when the network
/// has the head; last <c>classifier</c>. A BN contributes <c>weight, bias, running_mean, running_var, num_batches_tracked</c>.
/// </summary>
internal static class DartsStateDict
{
    /// <summary>The network's tensors (the live ones, not copies) under DARTS' names.</summary>
    /// <exception cref="NotSupportedException">The network has batch norms after pools and skips (<see cref="EvaluationNetworkOptions.BatchNormAfterParameterFree"/>), which DARTS' model.py does not have, or a module DARTS does not know.</exception>
    public static IReadOnlyList<(string Name, Tensor Value)> Entries(EvaluationNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (network.Options.BatchNormAfterParameterFree)
        {
            throw new NotSupportedException(
                "The network has batch norms after its pools and skips (the one-stage ISTA-NAS form); DARTS' model.py has none there, so its weights have no DARTS names.");
        }

        var entries = new List<(string, Tensor)>();
        IReadOnlyList<nn.Module<Tensor, Tensor>> stems = network.StemModules;
        if (stems.Count == 1)
        {
            Sequence(entries, "stem", stems[0]);
        }
        else
        {
            Sequence(entries, "stem0", stems[0]);
            Sequence(entries, "stem1", stems[1]);
        }

        IReadOnlyList<EvaluationCell> cells = network.Cells;
        for (int i = 0; i < cells.Count; i++)
        {
            string cell = string.Create(CultureInfo.InvariantCulture, $"cells.{i}");
            Operation(entries, cell + ".preprocess0", cells[i].Preprocess0);
            Operation(entries, cell + ".preprocess1", cells[i].Preprocess1);
            IReadOnlyList<Operation> ops = cells[i].Operations;
            for (int j = 0; j < ops.Count; j++)
            {
                Operation(entries, string.Create(CultureInfo.InvariantCulture, $"{cell}._ops.{j}"), ops[j]);
            }
        }

        if (network.AuxiliaryHead is { } head)
        {
            foreach (var (name, child) in head.named_children())
            {
                switch (child)
                {
                    case Linear linear:
                        Linear(entries, "auxiliary_head." + name, linear);
                        break;
                    default:
                        Sequence(entries, "auxiliary_head." + name, child);
                        break;
                }
            }
        }

        Linear(entries, "classifier", network.Classifier);
        return entries;
    }

    /// <summary>An <c>nn.Sequential</c>: its convolutions and BNs under their positions.</summary>
    private static void Sequence(List<(string, Tensor)> entries, string prefix, nn.Module sequence)
    {
        int index = 0;
        foreach (nn.Module child in sequence.children())
        {
            string path = string.Create(CultureInfo.InvariantCulture, $"{prefix}.{index++}");
            switch (child)
            {
                case Conv2d conv:
                    Conv(entries, path, conv);
                    break;
                case BatchNorm2d bn:
                    BatchNorm(entries, path, bn);
                    break;
                case ReLU or AvgPool2d or MaxPool2d:
                    break;
                default:
                    throw new NotSupportedException($"'{path}' is a {child.GetType().Name}, which has no DARTS name.");
            }
        }
    }

    private static void Operation(List<(string, Tensor)> entries, string prefix, Operation op)
    {
        switch (op)
        {
            case ReLUConvBN r:
                Conv(entries, prefix + ".op.1", r.Conv);
                BatchNorm(entries, prefix + ".op.2", r.OutputBatchNorm);
                break;
            case FactorizedReduce f:
                Conv(entries, prefix + ".conv_1", f.Conv1);
                Conv(entries, prefix + ".conv_2", f.Conv2);
                BatchNorm(entries, prefix + ".bn", f.OutputBatchNorm);
                break;
            case SepConv s:
                for (int stage = 0; stage < 2; stage++)
                {
                    var (depthwise, pointwise, bn) = s.Stages[stage];
                    int at = 1 + 4 * stage; // op: ReLU, conv, conv, BN, ReLU, conv, conv, BN
                    Conv(entries, string.Create(CultureInfo.InvariantCulture, $"{prefix}.op.{at}"), depthwise);
                    Conv(entries, string.Create(CultureInfo.InvariantCulture, $"{prefix}.op.{at + 1}"), pointwise);
                    BatchNorm(entries, string.Create(CultureInfo.InvariantCulture, $"{prefix}.op.{at + 2}"), bn);
                }

                break;
            case DilConv d:
                Conv(entries, prefix + ".op.1", d.Depthwise);
                Conv(entries, prefix + ".op.2", d.Pointwise);
                BatchNorm(entries, prefix + ".op.3", d.OutputBatchNorm);
                break;
            case Skip or Pool or Zero when op.OutputBatchNorm is null:
                break;
            default:
                throw new NotSupportedException($"'{prefix}' is a {op.GetType().Name}, which has no DARTS name.");
        }
    }

    private static void Conv(List<(string, Tensor)> entries, string prefix, Conv2d conv)
    {
        entries.Add((prefix + ".weight", conv.weight ?? throw new NotSupportedException($"The convolution '{prefix}' has no weight.")));
        if (conv.bias is not null)
        {
            entries.Add((prefix + ".bias", conv.bias));
        }
    }

    private static void Linear(List<(string, Tensor)> entries, string prefix, Linear linear)
    {
        entries.Add((prefix + ".weight", linear.weight ?? throw new NotSupportedException($"The linear layer '{prefix}' has no weight.")));
        if (linear.bias is not null)
        {
            entries.Add((prefix + ".bias", linear.bias));
        }
    }

    private static void BatchNorm(List<(string, Tensor)> entries, string prefix, BatchNorm2d bn)
    {
        if (bn.weight is null || bn.bias is null || bn.running_mean is null || bn.running_var is null || bn.num_batches_tracked is null)
        {
            throw new NotSupportedException($"The BN '{prefix}' is not affine or keeps no running statistics; DARTS' BNs are affine and track them.");
        }

        entries.Add((prefix + ".weight", bn.weight));
        entries.Add((prefix + ".bias", bn.bias));
        entries.Add((prefix + ".running_mean", bn.running_mean));
        entries.Add((prefix + ".running_var", bn.running_var));
        entries.Add((prefix + ".num_batches_tracked", bn.num_batches_tracked));
    }
}
