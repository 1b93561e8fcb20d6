using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using IstaNas.Architecture;
using IstaNas.Networks;
using static TorchSharp.torch;

namespace IstaNas.Benchmarks;

/// <summary>
/// <c>ops-process [--batch 64] [--channels 32] [--size 16] [--threads 1] [--calls 40] [--warmup 5]</c>: forward and
/// backward (of the output's sum) of each building block of the search cell on one random input that requires a
/// gradient, the same list, names and sizes as benchmarks/pytorch/ops.py; one JSON object per operation with the
/// milliseconds per call. <c>sep_conv_3x3</c> is the library's own operation (with its early release of intermediates),
/// the others are TorchSharp calls (<c>sep_conv_3x3_sequential</c>: the same modules in an <c>nn.Sequential</c>, for comparison). Driven by <c>vs-pytorch-ops</c> (<see cref="PyTorchComparison"/>).
/// </summary>
internal static class OpTiming
{
    public static void Run(string[] args)
    {
        int batch = Int(args, "--batch", 64), channels = Int(args, "--channels", 32), size = Int(args, "--size", 16);
        int calls = Int(args, "--calls", 40), warmup = Int(args, "--warmup", 5);
        set_num_threads(Int(args, "--threads", 1));
        random.manual_seed(1);
        using var x = randn(batch, channels, size, size).requires_grad_();
        foreach (var (name, op) in Blocks(channels))
        {
            void Call()
            {
                using var scope = NewDisposeScope();
                op(x).sum().backward();
                x.grad?.Dispose();
                x.grad = null;
            }

            for (int i = 0; i < warmup; i++) Call();
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < calls; i++) Call();
            Console.WriteLine(JsonSerializer.Serialize(new { op = name, ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds / calls }));
        }
    }

    private static (string Name, Func<Tensor, Tensor> Op)[] Blocks(int c)
    {
        var conv3 = nn.Conv2d(c, c, 3, padding: 1, bias: false);
        var depthwise3 = nn.Conv2d(c, c, 3, padding: 1, groups: c, bias: false);
        var depthwise5Dilated = nn.Conv2d(c, c, 5, padding: 4, dilation: 2, groups: c, bias: false);
        var pointwise = nn.Conv2d(c, c, 1, bias: false);
        var bn = nn.BatchNorm2d(c, affine: false);
        var alpha = tensor(new[] { 0.7f, 0.3f }).requires_grad_();
        var sep = OperationFactory.Create(Operations.SepConv3x3, c, 1, affine: false, AppendedBatchNorm.None);
        var sequential = nn.Sequential(
            nn.ReLU(), nn.Conv2d(c, c, 3, padding: 1, groups: c, bias: false), nn.Conv2d(c, c, 1, bias: false), nn.BatchNorm2d(c, affine: false),
            nn.ReLU(), nn.Conv2d(c, c, 3, padding: 1, groups: c, bias: false), nn.Conv2d(c, c, 1, bias: false), nn.BatchNorm2d(c, affine: false));
        return
        [
            ("conv_3x3", conv3.forward),
            ("depthwise_3x3", depthwise3.forward),
            ("depthwise_5x5_dil2", depthwise5Dilated.forward),
            ("pointwise_1x1", pointwise.forward),
            ("batch_norm", bn.forward),
            ("relu", x => nn.functional.relu(x)),
            ("max_pool_3x3", x => nn.functional.max_pool2d(x, 3, 1, 1)),
            ("avg_pool_3x3", x => nn.functional.avg_pool2d(x, 3, 1, 1, count_include_pad: false)),
            ("weighted_sum", x => alpha[0] * x + alpha[1] * x),
            ("cat_4", x => cat([x, x, x, x], 1)),
            ("sep_conv_3x3", sep.forward),
            ("sep_conv_3x3_sequential", sequential.forward),
        ];
    }

    private static int Int(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
