using IstaNas.Architecture;
using IstaNas.Data;
using IstaNas.Evaluation;
using IstaNas.Strategies;
using IstaNas.Tests.Data;
using IstaNas.Tests.Strategies;
using static IstaNas.Tests.Training.TensorBoardEvents;

namespace IstaNas.Tests.Training;

/// <summary>
/// <see cref="TensorBoardProgress"/>: what it writes is read back with an independent TFRecord/protobuf reader (CRCs
/// checked) and compared with the epoch reports, value for value.
/// </summary>
public class TensorBoardProgressTests
{
    private static readonly string[] Common = ["loss/train", "accuracy/train", "learning_rate", "drop_path", "epoch_seconds"];

    private static string[] Sorted(IEnumerable<string> tags) => [.. tags.Order(StringComparer.Ordinal)];

    private static EpochReport Report(int epoch, double trainLoss = 1.5, double validLoss = double.NaN, IReadOnlyList<string>? frozen = null) => new()
    {
        Epoch = epoch,
        Epochs = 3,
        LearningRate = 0.1 / epoch,
        TrainLoss = trainLoss,
        TrainAccuracy = 0.25,
        ValidLoss = validLoss,
        Elapsed = TimeSpan.FromSeconds(2.5),
        FrozenNodes = frozen ?? [],
    };

    [Fact]
    public void ATwoStageSearchWritesEveryEpochReportAtItsEpoch()
    {
        using var dir = new TempDirectory();
        string logs = dir.File("tensorboard/two-stage"); // missing, two levels deep
        var reports = new List<EpochReport>();
        SearchResult result;
        using (var tensorBoard = new TensorBoardProgress(logs))
        {
            Assert.Equal(Path.GetFullPath(logs), tensorBoard.LogDirectory);
            result = new SearchBuilder()
                .UseDataset(TinySearch.Data(count: 128))
                .UseTwoStage(o => TinySearch.Configure(o, epochs: 2, steps: 2))
                .UseSeed(4)
                .WithProgress(new InlineProgress<EpochReport>(r =>
                {
                    reports.Add(r);
                    tensorBoard.Report(r);
                }))
                .Build()
                .Run();
        }

        string file = Assert.Single(TensorBoardEvents.Files(logs));
        List<TensorBoardEvent> events = TensorBoardEvents.Read(file);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        var scalars = TensorBoardEvents.Scalars(events);
        Assert.Equal(2, reports.Count);
        Assert.Equal([1L, 2L], scalars.Select(s => s.Step).Distinct().Order());
        string[] nodes = [.. Enum.GetValues<CellType>().SelectMany(c => Enumerable.Range(0, 4).Select(n => NodeKeys.Of(c, n)))];
        foreach (EpochReport r in reports)
        {
            // Exactly these tags, each once, with the report's values (stored as float32); the test values are NaN: skipped.
            var expected = new Dictionary<string, float>
            {
                ["loss/train"] = (float)r.TrainLoss,
                ["accuracy/train"] = (float)r.TrainAccuracy,
                ["loss/valid"] = (float)r.ValidLoss,
                ["accuracy/valid"] = (float)r.ValidAccuracy,
                ["learning_rate"] = (float)r.LearningRate,
                ["drop_path"] = (float)r.DropPathProbability,
                ["epoch_seconds"] = (float)r.Elapsed.TotalSeconds,
                ["frozen_nodes"] = 0,
            };
            foreach (string node in nodes)
            {
                expected[$"z/{node}"] = (float)r.ZMagnitude[node].Sum();
                expected[$"z_change/{node}"] = (float)r.ZChange[node];
            }

            Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), At(scalars, r.Epoch).OrderBy(p => p.Key, StringComparer.Ordinal));
        }

        // z/<node> is the L1 norm of the node's code: after the last epoch, that of the final search space.
        Assert.All(result.SearchSpace!.NodeStates, s =>
            Assert.Equal(s.Z.Sum(Math.Abs), At(scalars, 2)[$"z/{NodeKeys.Of(s.Cell, s.Node)}"], 1e-5));
        Assert.True(At(scalars, 2)["z/normal/0"] > 0);
        Assert.Empty(TensorBoardEvents.Texts(events));
    }

    [Fact]
    public void NaNValuesAreSkippedAndEachFrozenNodeIsAnnouncedOnce()
    {
        using var dir = new TempDirectory();
        var tensorBoard = new TensorBoardProgress(dir.Path);
        tensorBoard.Report(Report(1, trainLoss: double.NaN, validLoss: 0.75) with { ZMagnitude = new Dictionary<string, double[]> { ["normal/0"] = [0.5, -0.25, 0] } });
        tensorBoard.Report(Report(2, frozen: ["normal/0"]));
        tensorBoard.Report(Report(3, frozen: ["normal/0", "reduce/1"]) with { TestTop5 = 0.5 });
        tensorBoard.Dispose();
        Assert.Throws<ObjectDisposedException>(() => tensorBoard.Report(Report(4)));

        var events = TensorBoardEvents.ReadDirectory(dir.Path);
        var scalars = TensorBoardEvents.Scalars(events);
        Assert.Equal(
            new Dictionary<string, float>
            {
                ["accuracy/train"] = 0.25f, ["loss/valid"] = 0.75f, ["learning_rate"] = 0.1f, ["drop_path"] = 0, ["epoch_seconds"] = 2.5f,
                ["z/normal/0"] = 0.75f, ["frozen_nodes"] = 0,
            }.OrderBy(p => p.Key, StringComparer.Ordinal),
            At(scalars, 1).OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(Sorted([.. Common, "frozen_nodes"]), Sorted(At(scalars, 2).Keys));
        Assert.Equal(Sorted([.. Common, "accuracy/test_top5", "frozen_nodes"]), Sorted(At(scalars, 3).Keys));
        Assert.Equal(1f, At(scalars, 2)["frozen_nodes"]);
        Assert.Equal(2f, At(scalars, 3)["frozen_nodes"]);
        Assert.Equal(0.5f, At(scalars, 3)["accuracy/test_top5"]);
        Assert.Equal(0.05f, At(scalars, 2)["learning_rate"]);
        Assert.Equal(
            [("frozen/normal/0/text_summary", 2L, "normal/0 frozen after epoch 2"), ("frozen/reduce/1/text_summary", 3L, "reduce/1 frozen after epoch 3")],
            TensorBoardEvents.Texts(events));
    }

    [Fact]
    public void AnEvaluationWritesItsTestLossAccuracyAndTopFive()
    {
        using var dir = new TempDirectory();
        var options = new EvaluationOptions { Epochs = 2, BatchSize = 8, Channels = 4, Layers = 3, MaxStepsPerEpoch = 2, MaxTestSteps = 1, Seed = 5, LearningRate = 0.05 };
        EvaluationResult result;
        using (var tensorBoard = new TensorBoardProgress(dir.Path))
            result = new EvaluationTrainer(Genotype.IstaTwoStage, options).Train(Synthetic.Create(40, 1), Synthetic.Create(20, 2), tensorBoard);
        using var network = result.Network;

        var scalars = TensorBoardEvents.Scalars(TensorBoardEvents.ReadDirectory(dir.Path));
        Assert.Equal(2, result.History.Count);
        foreach (EpochReport r in result.History)
        {
            Dictionary<string, float> at = At(scalars, r.Epoch);
            Assert.Equal(Sorted([.. Common, "loss/test", "accuracy/test", "accuracy/test_top5"]), Sorted(at.Keys));
            Assert.Equal((float)r.TestLoss, at["loss/test"]);
            Assert.Equal((float)r.TestAccuracy, at["accuracy/test"]);
            Assert.Equal((float)r.TestTop5, at["accuracy/test_top5"]);
            Assert.Equal((float)r.TrainLoss, at["loss/train"]);
            Assert.Equal((float)r.DropPathProbability, at["drop_path"]);
        }

        Assert.Equal((float)result.TestAccuracy, At(scalars, 2)["accuracy/test"]);
        Assert.True(At(scalars, 2)["drop_path"] > 0, "drop path rises from 0 in the second epoch");
    }

    [Fact]
    public void ADirectoryThatCannotBeCreatedIsAClearError()
    {
        using var dir = new TempDirectory();
        string file = dir.File("taken");
        File.WriteAllText(file, "a file, not a directory");

        var inTheWay = Assert.Throws<IOException>(() => new TensorBoardProgress(file));
        Assert.Contains($"'{file}'", inTheWay.Message);
        Assert.Contains("a file of that name is in the way", inTheWay.Message);

        string below = Path.Combine(file, "logs");
        var underAFile = Assert.Throws<IOException>(() => new TensorBoardProgress(below));
        Assert.Contains($"Cannot create the TensorBoard log directory '{below}'", underAFile.Message);

        Assert.Throws<ArgumentException>(() => new TensorBoardProgress(" "));
    }

    [Fact]
    public void AFailedWriteIsLoggedAndTheNextEpochIsWrittenAgain()
    {
        using var dir = new TempDirectory();
        string logs = dir.File("logs");
        var logger = new ListLogger();
        using var tensorBoard = new TensorBoardProgress(logs, logger);
        tensorBoard.Report(Report(1));

        Directory.Delete(logs, recursive: true);
        File.WriteAllText(logs, "in the way");
        tensorBoard.Report(Report(2)); // does not throw: a run is not lost to its monitoring
        string warning = Assert.Single(logger.Warnings);
        Assert.Contains("epoch 2", warning);
        Assert.Contains(Path.GetFullPath(logs), warning);

        File.Delete(logs);
        Directory.CreateDirectory(logs);
        tensorBoard.Report(Report(3));
        Assert.Single(logger.Warnings);
        var scalars = TensorBoardEvents.Scalars(TensorBoardEvents.ReadDirectory(logs));
        Assert.Equal([3L], scalars.Select(s => s.Step).Distinct());
    }

    [Fact]
    public void ReportsFromManyThreadsAllArriveAsWholeRecords()
    {
        using var dir = new TempDirectory();
        using (var tensorBoard = new TensorBoardProgress(dir.Path))
            Parallel.For(1, 41, new ParallelOptions { MaxDegreeOfParallelism = 4 }, epoch => tensorBoard.Report(Report(epoch)));

        var scalars = TensorBoardEvents.Scalars(TensorBoardEvents.ReadDirectory(dir.Path)); // every CRC checked
        Assert.Equal(40 * Common.Length, scalars.Count);
        Assert.All(Enumerable.Range(1, 40), epoch => Assert.Equal(Sorted(Common), Sorted(At(scalars, epoch).Keys)));
    }
}
