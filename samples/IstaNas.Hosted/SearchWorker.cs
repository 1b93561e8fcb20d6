using IstaNas.Strategies;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IstaNas.Hosted;

/// <summary>Runs one two-stage search with the SearchBuilder that AddIstaNas registered, saves it, and stops the host.</summary>
internal sealed class SearchWorker(SearchBuilder search, IConfiguration configuration, IHostApplicationLifetime lifetime, ILogger<SearchWorker> log)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Run(() =>
    {
        try
        {
            int images = configuration.GetValue("Search:Images", 512);
            string output = configuration.GetValue("Search:Output", Path.Combine("runs", "hosted"))!;
            // The options (search space, two-stage) come from configuration; the data set and the strategy are chosen here.
            SearchResult result = search.UseSyntheticDataset(images).UseTwoStage().UseSeed(1).Build().Run(stoppingToken);
            result.Save(output);
            log.LogInformation("Found in {Output}:\n{Genotype}", output, result.Genotype);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log.LogError("The search failed: {Message}", ex.Message);
            Environment.ExitCode = 1;
        }
        finally
        {
            lifetime.StopApplication();
        }
    }, stoppingToken);
}
