using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TwinCity.Web.Auth;

/// <summary>Says at start-up which keys and viewers the process accepts, and warns when the public demo keys are on.</summary>
internal sealed class AccessReport(ApiKeyRing keys, IOptions<AccessOptions> options, ILogger<AccessReport> log) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        AccessOptions o = options.Value;
        log.AccessConfigured(keys.ConfiguredCount, keys.DemoKeysEnabled ? "on" : "off", o.AnonymousViewersAllowed ? "open to viewers without a key" : "needs a reader's key");
        if (keys.DemoKeysEnabled)
        {
            log.DemoKeysInUse();
        }
        else if (keys.Count == 0)
        {
            log.NoKeys();
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
