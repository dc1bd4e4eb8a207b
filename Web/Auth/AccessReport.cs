using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TwinCity.Web.Auth;

/// <summary>
/// Says at start-up which keys, tokens and viewers the process accepts, warns when the public demo keys
/// are on, and, once the server listens, says so again when it listens where other machines can reach it.
/// </summary>
internal sealed class AccessReport(
    AccessDirectory directory, IOptions<AccessOptions> options, IHostApplicationLifetime lifetime, IServiceProvider services, ILogger<AccessReport> log)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        AccessOptions o = options.Value;
        AccessSnapshot access = directory.Current;
        log.AccessConfigured(
            access.Keys.ConfiguredCount,
            access.Agencies.Count,
            access.Keys.DemoKeysEnabled ? "on, from this machine only" : "off",
            o.AnonymousViewersAllowed ? "open to viewers on this machine without a key" : "needs a reader's key or token",
            o.Jwt.Enabled ? (string.IsNullOrWhiteSpace(o.Jwt.Authority) ? "checked against the configured key set" : $"from {o.Jwt.Authority}") : "off");
        if (access.Keys.DemoKeysEnabled)
        {
            log.DemoKeysInUse();
            lifetime.ApplicationStarted.Register(WarnWhenReachable);
        }
        else if (access.Keys.Count == 0 && !o.Jwt.Enabled)
        {
            log.NoKeys();
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void WarnWhenReachable()
    {
        ICollection<string>? addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses;
        foreach (string address in addresses ?? [])
        {
            if (!Uri.TryCreate(address, UriKind.Absolute, out Uri? uri))
            {
                continue;
            }

            bool loopback = uri.Host == "localhost" || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out IPAddress? ip) && IPAddress.IsLoopback(ip));
            if (!loopback)
            {
                log.DemoKeysLoopbackOnly(address);
            }
        }
    }
}
