using IstaNas.Hosted;
using IstaNas.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// A generic host: `dotnet run --project samples/IstaNas.Hosted -c Release` (any setting can be overridden on the
// command line or by environment variables, e.g. `-- --IstaNas:TwoStage:Epochs 5` or IstaNas__TwoStage__Epochs=5).
// Some AVX-512 CPUs (AMD Zen 5) get wrong convolution gradients from libtorch 2.10's oneDNN; IstaNas refuses to train there
// until the application chooses LibTorch's own kernels for the process, as here (docs/troubleshooting.md).
if (!TorchConvolutions.CheckGradients()) TorchConvolutions.SetOneDnnEnabled(false);
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
