using IstaNas.Architecture;
using IstaNas.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace IstaNas.Tests.Networks;

internal static class NetworkTestHelpers
{
    public static long CountParameters(nn.Module module) => module.parameters().Sum(p => p.numel());

    /// <summary>Two candidates per node: (op a, predecessor i) and (op b, predecessor i + 1) - a deterministic sparse architecture.</summary>
    public static NodeWeights[] TwoPerNode(SuperNetOptions options, bool requiresGrad, int seed)
    {
        int k = options.OperationCount;
        var result = new NodeWeights[options.Nodes];
        for (int i = 0; i < options.Nodes; i++)
        {
            int first = i * k + (seed + i) % k;
            int second = (i + 1) * k + (seed + 2 * i + 3) % k;
            var w = torch.tensor(new float[] { 0.7f + 0.1f * i, -0.4f + 0.05f * seed }, requires_grad: requiresGrad);
            result[i] = new NodeWeights([first, second], w);
        }

        return result;
    }

}
