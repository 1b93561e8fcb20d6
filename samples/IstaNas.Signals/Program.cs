using System.Globalization;
using IstaNas.Data;
using IstaNas.Evaluation;
using IstaNas.Runtime;
using IstaNas.Strategies;
using static TorchSharp.torch;

namespace IstaNas.Signals;

/// <summary>
/// Trains and exports a small 1-D model with choices on synthetic signals:
/// <c>dotnet run --project samples/IstaNas.Signals -c Release -- [epochs] [output-directory]</c>.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        // Some AVX-512 CPUs (AMD Zen 5) get wrong convolution gradients from libtorch 2.10's oneDNN; IstaNas refuses to train there
        // until the application chooses LibTorch's own kernels for the process, as here (docs/troubleshooting.md).
        if (!TorchConvolutions.CheckGradients()) TorchConvolutions.SetOneDnnEnabled(false);
        int epochs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        string output = args.Length > 1 ? args[1] : Path.Combine("runs", "signals");
        int classes = SignalData.Frequencies.Length;

        (Tensor trainX, Tensor trainY) = SignalData.Make(800, seed: 1);
        (Tensor testX, Tensor testY) = SignalData.Make(200, seed: 2);
        TensorDataset train = TensorDataset.From(trainX, trainY, "signals-train");
        TensorDataset test = TensorDataset.From(testX, testY, "signals-test", train.ClassCount);
        Console.WriteLine($"{train.Count} training and {test.Count} test signals of shape [{string.Join(", ", train.SampleShape)}], {classes} classes");

        // Search the three choices of SignalNet with two-stage ISTA-NAS: every choice gets its own compressed space
        // (m = min(ProjectionDims, K - 1)); the search splits the training signals into a part for W and a part for b.
        SearchResult search = new SearchBuilder()
            .UseTensors(trainX, trainY)
            .UseSpace(() => SignalNet.Create(classes))
            .UseTwoStage(o =>
            {
                o.Epochs = Math.Max(1, epochs);
                o.BatchSize = 32;
                o.Augment = false;
                o.Cutout = false;
                o.CheckpointDirectory = Path.Combine(output, "search");
            })
            .UseSeed(1)
            .Build()
            .Run();
        IReadOnlyDictionary<string, int[]> picks = search.Architecture!.Picks;
        search.Architecture.Save(Path.Combine(output, "architecture.json"));


        Console.WriteLine($"Architecture: {string.Join(", ", picks.Select(p => $"{p.Key} = [{string.Join(", ", p.Value)}]"))}");
        var options = new EvaluationOptions
        {
            Epochs = epochs,
            BatchSize = 32,
            LearningRate = 0.05,
            Auxiliary = false,
            DropPathProbability = 0,
            Augment = false,
            Cutout = false,
            Seed = 1,
            CheckpointDirectory = output,
        };
        var trainer = EvaluationTrainer.ForModel(() => SignalNet.Fixed(classes, picks), options);
        EvaluationResult result = trainer.Train(train, test,
            new Progress(r => Console.WriteLine($"epoch {r.Epoch}: train loss {r.TrainLoss:F3}, test accuracy {r.TestAccuracy:P1}")));
        using var model = result.Model;
        Console.WriteLine($"Test accuracy {result.TestAccuracy:P1} with {result.ParameterCount:N0} parameters");

        result.Save(output);
        string saved = Path.Combine(output, EvaluationResult.ModelFileName);
        // The file records the picks: the factory may build the open space, whose choices are fixed to them on loading.
        using TrainedNetwork loaded = TrainedNetwork.Load(saved, () => SignalNet.Create(classes));
        string onnx = Path.Combine(output, "signals.onnx");
        loaded.ExportOnnx(onnx);
        Console.WriteLine($"Saved {saved} and exported {onnx}");

        using Tensor first = testX[..5];
        IReadOnlyList<Prediction> predictions = loaded.Predict(first, topK: 1);
        long[] truth = testY[..5].data<long>().ToArray();
        for (int n = 0; n < predictions.Count; n++)
            Console.WriteLine($"test signal {n}: predicted class {predictions[n].Best.Name} ({predictions[n].Best.Probability:P0}), true class {truth[n]}");

        foreach (Tensor t in new[] { trainX, trainY, testX, testY })
            t.Dispose();
        return 0;
    }

    private sealed class Progress(Action<IstaNas.Training.EpochReport> report) : IProgress<IstaNas.Training.EpochReport>
    {
        public void Report(IstaNas.Training.EpochReport value) => report(value);
    }
}
