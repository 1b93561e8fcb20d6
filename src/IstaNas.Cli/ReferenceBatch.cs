using System.Text.Json;
using IstaNas.Evaluation;
using IstaNas.Networks;
using TorchSharp;

namespace IstaNas.Cli;

/// <summary>
/// A small batch of inputs and the network's evaluation-mode logits for it, as JSON, so that a copy of the network
/// elsewhere (DARTS' model.py with the exported weights, an ONNX runtime) can be checked against IstaNas:
/// <c>{"images_shape": [N, C, H, W], "images": [...], "logits_shape": [N, classes], "logits": [...]}</c>, C order.
/// The images are standard normal draws (already normalised inputs) from a fixed seed.
/// </summary>
internal static class ReferenceBatch
{
    /// <summary>Images in the batch.</summary>
    public const int Count = 2;

    /// <summary>Writes the batch for <paramref name="trained"/> to <paramref name="path"/>.</summary>
    public static void Write(TrainedNetwork trained, string path)
    {
        int side = trained.Network.Layout == NetworkLayout.ImageNet ? 224 : 32;
        long[] shape = [Count, trained.InputChannels, trained.ImageHeight ?? side, trained.ImageWidth ?? side];
        float[] images, logits;
        long[] logitsShape;
        bool training = trained.Network.training;
        using (var scope = torch.NewDisposeScope())
        using (torch.no_grad())
        {
            var generator = new torch.Generator(0);
            torch.Tensor input = torch.randn(shape, torch.float32, generator: generator);
            try
            {
                trained.Network.eval();
                torch.Tensor output = trained.Network.forward(input).to(torch.float32).contiguous();
                logitsShape = output.shape;
                logits = output.data<float>().ToArray();
            }
            finally
            {
                trained.Network.train(training);
            }

            images = input.data<float>().ToArray();
        }

        var document = new Dictionary<string, object>
        {
            ["images_shape"] = shape,
            ["images"] = images,
            ["logits_shape"] = logitsShape,
            ["logits"] = logits,
        };
        File.WriteAllText(path, JsonSerializer.Serialize(document));
    }
}
