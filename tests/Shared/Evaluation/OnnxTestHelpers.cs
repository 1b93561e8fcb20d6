using IstaNas.Networks;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IstaNas.Tests.Evaluation;

/// <summary>Runs exported models in ONNX Runtime and compares them with TorchSharp.</summary>
internal static class OnnxTestHelpers
{
    /// <summary>
    /// Gives every BN non-trivial running statistics and affine parameters (so that a dropped, misplaced or
    /// mis-folded BN changes the output), reproducibly.
    /// </summary>
    public static void RandomiseBatchNorms(nn.Module network, int seed)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var generator = new Generator((ulong)seed);
        foreach (var (_, module) in network.named_modules())
        {
            if (module is not BatchNorm2d bn) continue;
            bn.running_mean!.copy_(rand(bn.running_mean.shape, generator: generator) * 0.6 - 0.3);
            bn.running_var!.copy_(rand(bn.running_var.shape, generator: generator) * 1.5 + 0.5);
            bn.weight?.copy_(rand(bn.weight.shape, generator: generator) + 0.5);
            bn.bias?.copy_(rand(bn.bias.shape, generator: generator) - 0.5);
        }
    }

    /// <summary>A one-thread ONNX Runtime session (all graph optimisations on, as a deployment would run it).</summary>
    public static InferenceSession Session(string path, GraphOptimizationLevel level = GraphOptimizationLevel.ORT_ENABLE_ALL)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, GraphOptimizationLevel = level };
        return new InferenceSession(path, options);
    }

    /// <summary>A one-thread session of a model held in memory.</summary>
    public static InferenceSession Session(byte[] model, GraphOptimizationLevel level = GraphOptimizationLevel.ORT_ENABLE_ALL)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, GraphOptimizationLevel = level };
        return new InferenceSession(model, options);
    }

    /// <summary>Runs the model on <paramref name="images"/> (float32 [N, C, H, W]) and returns the logits as a tensor.</summary>
    public static Tensor Run(InferenceSession session, Tensor images)
    {
        float[] data = images.contiguous().data<float>().ToArray();
        using var input = OrtValue.CreateTensorValueFromMemory(data, images.shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["images"], [input], ["logits"]);
        OrtValue logits = outputs[0];
        long[] shape = logits.GetTensorTypeAndShape().Shape;
        return tensor(logits.GetTensorDataAsSpan<float>().ToArray(), shape);
    }

    /// <summary>max |ONNX - TorchSharp| of the logits on a batch; the network runs in evaluation mode; asserts the shapes agree.</summary>
    public static double MaxDifference(EvaluationNetwork network, InferenceSession session, Tensor images)
    {
        using var scope = NewDisposeScope();
        network.eval();
        Tensor expected;
        using (no_grad())
            expected = network.forward(images);
        Tensor actual = Run(session, images);
        Assert.Equal(expected.shape, actual.shape);
        return (expected - actual).abs().max().ToDouble();
    }
}
