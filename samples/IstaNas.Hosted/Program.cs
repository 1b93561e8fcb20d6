using IstaNas.Hosted;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// A generic host: `dotnet run --project samples/IstaNas.Hosted -c Release` (any setting can be overridden on the
// command line or by environment variables, e.g. `-- --IstaNas:TwoStage:Epochs 5` or IstaNas__TwoStage__Epochs=5).
HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory, // appsettings.json is copied next to the program
});
// Every IstaNas options class bound from the "IstaNas" section and validated when the host starts (a typo such as
// TwoStage:Epoch stops it with a message naming the key); SearchBuilder is registered, filled from those options.
// appsettings.json is reloaded when it changes: a valid edit reaches the next SearchBuilder, an invalid one is logged as a
// warning and the last valid values stay in use.
builder.Services.AddIstaNas(builder.Configuration.GetSection("IstaNas"));
builder.Services.AddHostedService<SearchWorker>();
using IHost host = builder.Build();
await host.RunAsync();
return Environment.ExitCode;
