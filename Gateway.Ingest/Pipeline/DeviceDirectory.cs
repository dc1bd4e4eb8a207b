using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using TwinCity.Grains.Interfaces.Devices;

namespace TwinCity.Gateway.Ingest.Pipeline;

/// <summary>
/// Ingest's cache of device registrations. Registrations change rarely and uplinks arrive at tens
/// of thousands a second, so each silo keeps what it has read for a while; a stale entry is caught
/// by the twin itself (it refuses a device it is no longer bound to) and then read afresh.
/// </summary>
public sealed class DeviceDirectory(IGrainFactory grains, IOptions<IngestOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<ulong, Entry> _entries = new();
    private readonly long _knownTicks = options.Value.RegistrationCacheTime.Ticks;
    private readonly long _unknownTicks = options.Value.UnknownDeviceCacheTime.Ticks;

    public ValueTask<DeviceRegistration?> FindAsync(ulong devEui)
    {
        long now = time.GetUtcNow().UtcTicks;
        if (_entries.TryGetValue(devEui, out Entry entry) && entry.ExpiresAt > now)
        {
            return ValueTask.FromResult(entry.Registration);
        }

        return ReadAsync(devEui, now);
    }

    public void Forget(ulong devEui) => _entries.TryRemove(devEui, out _);

    private async ValueTask<DeviceRegistration?> ReadAsync(ulong devEui, long now)
    {
        DeviceRegistration? registration = await grains.GetDevice(devEui).GetAsync();
        _entries[devEui] = new Entry(registration, now + (registration is null ? _unknownTicks : _knownTicks));
        return registration;
    }

    private readonly record struct Entry(DeviceRegistration? Registration, long ExpiresAt);
}
