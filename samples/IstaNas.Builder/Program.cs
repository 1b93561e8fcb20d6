using IstaNas;
using IstaNas.Architecture;
using IstaNas.Data;
using IstaNas.Evaluation;
using IstaNas.Runtime;
using IstaNas.Strategies;
using IstaNas.Training;

// Search, evaluate, export: `dotnet run --project samples/IstaNas.Builder -c Release -- [output-directory]`.
// On the built-in synthetic images (nothing to download), with sizes that finish in minutes on a laptop's CPU;
// for CIFAR-10 add the IstaNas.Formats package and use .UseCifar10(folder) and ImageDataset.LoadCifar10(folder, train), with the paper's sizes.
// Some AVX-512 CPUs (AMD Zen 5) get wrong convolution gradients from libtorch 2.10's oneDNN; IstaNas refuses to train there
// until the application chooses LibTorch's own kernels for the process, as here (docs/troubleshooting.md).
if (!TorchConvolutions.CheckGradients()) TorchConvolutions.SetOneDnnEnabled(false);
string output = args.Length > 0 ? args[0] : Path.Combine("runs", "builder");
var progress = new Progress<EpochReport>(r => Console.WriteLine($"{r.Phase} epoch {r.Epoch}/{r.Epochs}: train loss {r.TrainLoss:0.000}"));

// 1. Search a cell with two-stage ISTA-NAS on a small proxy network.
SearchResult search = new SearchBuilder()
    .UseSyntheticDataset(count: 512)
    .ConfigureSearchSpace(s => { s.ProjectionDims = 7; s.Sparsity = 2; })
    .UseTwoStage(o => { o.Epochs = 3; o.Channels = 4; o.Layers = 3; o.BatchSize = 16; })
    .UseSeed(1)
    .WithProgress(progress)
    .Build()
    .Run();
Genotype cell = search.Genotype!; // a search of the DARTS cell space always ends with a genotype
Console.WriteLine(cell);

// 2. Train the cell from scratch in the target network and test it on images it never saw.
var trainer = new EvaluationTrainer(cell, new EvaluationOptions { Epochs = 3, Channels = 8, Layers = 5, BatchSize = 16, Seed = 1 });
EvaluationResult evaluation = trainer.Train(ImageDataset.CreateSynthetic(512, seed: 0), ImageDataset.CreateSynthetic(128, seed: 1), progress);
Console.WriteLine($"test accuracy {evaluation.TestAccuracy:P1} with {evaluation.ParameterCount:N0} parameters");
evaluation.Save(output); // model.ckpt, genotype.json, history.csv, ...
evaluation.Network.Dispose();

// 3. Export the trained network as an ONNX model that ONNX Runtime runs without IstaNas.
using TrainedNetwork trained = TrainedNetwork.Load(Path.Combine(output, EvaluationResult.ModelFileName));
string onnx = Path.Combine(output, "model.onnx");
trained.ExportOnnx(onnx);
Console.WriteLine($"wrote {onnx}");
