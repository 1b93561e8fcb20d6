using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IstaNas.Tests.DependencyInjection;

/// <summary>A generic host with <c>AddIstaNas</c> bound to one configuration key, as an application builds it.</summary>
internal static class IstaNasHost
{
    /// <summary>Starts a host whose configuration holds <paramref name="key"/> = <paramref name="value"/>; returns what the start threw.</summary>
    public static async Task<TException> StartFails<TException>(string key, string value) where TException : Exception
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value });
        builder.Services.AddIstaNas(builder.Configuration.GetSection("IstaNas"));
        using IHost host = builder.Build();
        return await Assert.ThrowsAsync<TException>(() => host.StartAsync());
    }
}
