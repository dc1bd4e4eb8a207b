using System.Text;
using Microsoft.Extensions.Options;
using TwinCity.Grains.Interfaces;
using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Gateway.Ingest.Pipeline;

/// <summary>
/// Ingest's cache of device registrations, kept as the <see cref="DeviceRoute"/> each gives.
/// Registrations change rarely and uplinks arrive at tens of thousands a second, so each silo keeps
/// what it has read for a long while (an hour by default).
/// A stale entry is caught where it matters: the twin refuses an uplink routed by a device it is no
/// longer bound to, or by an older revision of its registration, and a payload that will not decode
/// sends ingest back for the registration once it is a minute old; either way it is read afresh.
/// On a silo a registration is read from the registry store (<see cref="IDeviceRegistrations"/>)
/// rather than by waking the device's grain.
/// <para>
/// The twin ids held here are also the ids of the twins themselves (<see cref="ISharedTwinIds"/>):
/// a twin waking on this silo takes the string held for its device rather than making its own. A
/// registration read again keeps the string already held when the id did not change, so the twin's
/// copy stays the one held here.
/// </para>
/// </summary>
/// <remarks>
/// Entries sit inline in plain dictionaries, each behind its own lock, rather than in a concurrent
/// dictionary, which makes a 56-byte node object per entry: with a million devices that is 56 MB,
/// and a million more objects for every full collection to mark. The locks are held for one lookup,
/// and 16 of them keep ingest's workers from queueing on one.
/// </remarks>
public sealed class DeviceDirectory(IGrainFactory grains, IOptions<IngestOptions> options, TimeProvider time, IDeviceRegistrations? registrations = null)
    : ISharedTwinIds
{
    /// <summary>How old an entry must be before a payload that did not decode by it makes ingest read it again.</summary>
    public static readonly TimeSpan RecheckAfter = TimeSpan.FromMinutes(1);

    private const int StripeBits = 4;

    private readonly Stripe[] _stripes = [.. Enumerable.Range(0, 1 << StripeBits).Select(_ => new Stripe())];
    private readonly long _knownTicks = options.Value.RegistrationCacheTime.Ticks;
    private readonly long _unknownTicks = options.Value.UnknownDeviceCacheTime.Ticks;

    public ValueTask<DeviceRoute?> FindAsync(ulong devEui)
    {
        long now = time.GetUtcNow().UtcTicks;
        if (StripeOf(devEui).TryGet(devEui, out Entry entry) && now - entry.ReadAt < (entry.Known ? _knownTicks : _unknownTicks))
        {
            return ValueTask.FromResult(entry.Route);
        }

        return ReadAsync(devEui, now);
    }

    /// <summary>Reads the registration from its device grain, past the cache, and caches what it finds.</summary>
    public ValueTask<DeviceRoute?> ReadAgainAsync(ulong devEui) => ReadAsync(devEui, time.GetUtcNow().UtcTicks);

    /// <summary>
    /// Caches a registration read elsewhere from the registry store (the cluster's wake reads every
    /// registration of the devices a silo owns), so that the device's first uplink after a restart
    /// finds it here rather than reading it again. A registration the silo already holds is left as it
    /// is (it was read as recently, or more); a device it found unregistered takes this one.
    /// </summary>
    /// <returns>True when the entry was added or replaced.</returns>
    public bool Remember(ulong devEui, DeviceRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        return StripeOf(devEui).SetUnlessKnown(devEui, new Entry(DeviceRoute.Of(registration), time.GetUtcNow().UtcTicks));
    }

    /// <inheritdoc/>
    public string? Find(ulong devEui, ReadOnlySpan<byte> key) =>
        StripeOf(devEui).TryGet(devEui, out Entry entry) && entry.TwinId is { } id && Spells(id, key) ? id : null;

    /// <summary>True when <paramref name="id"/> is <paramref name="utf8"/> decoded; twin ids are ASCII (<see cref="TwinIds"/>), which is compared without decoding.</summary>
    internal static bool Spells(string id, ReadOnlySpan<byte> utf8)
    {
        if (Ascii.IsValid(utf8))
        {
            return Ascii.Equals(utf8, id);
        }

        return Encoding.UTF8.GetCharCount(utf8) == id.Length && Encoding.UTF8.GetString(utf8) == id;
    }

    /// <summary>True when the cached entry was read longer ago than <paramref name="age"/>.</summary>
    public bool IsOlderThan(ulong devEui, TimeSpan age) =>
        StripeOf(devEui).TryGet(devEui, out Entry entry) && time.GetUtcNow().UtcTicks - entry.ReadAt > age.Ticks;

    private async ValueTask<DeviceRoute?> ReadAsync(ulong devEui, long now)
    {
        // Read where the registration grain stored it, without waking the grain, where the silo offers that.
        DeviceRegistration? registration = registrations is not null
            ? await registrations.ReadAsync(devEui)
            : await grains.GetDevice(devEui).GetAsync();
        DeviceRoute? route = registration is null ? null : DeviceRoute.Of(registration);
        return StripeOf(devEui).Set(devEui, new Entry(route, now)).Route;
    }

    /// <summary>The stripe of <paramref name="devEui"/>, by its top bits after a multiplicative hash (DevEUIs of one vendor share their high bytes).</summary>
    private Stripe StripeOf(ulong devEui) => _stripes[(devEui * 0x9E3779B97F4A7C15UL) >> (64 - StripeBits)];

    /// <summary>
    /// A cached registration: the route's parts inline, with no twin for a device found unregistered.
    /// A route object behind each entry would add 56 bytes per device, and a million objects for
    /// every full collection to mark.
    /// </summary>
    private readonly struct Entry(DeviceRoute? route, long readAt)
    {
        private readonly string? _twinId = route?.TwinId;
        private readonly string? _codec = route?.Codec;
        private readonly IReadOnlyDictionary<string, string>? _mapping = route?.Mapping;
        private readonly long _revision = route?.Revision ?? 0;
        private readonly TwinKind _kind = route?.Kind ?? default;

        public long ReadAt { get; } = readAt;

        public bool Known => _twinId is not null;

        public string? TwinId => _twinId;

        public DeviceRoute? Route => _twinId is null ? null : new DeviceRoute(_kind, _twinId, _codec!, _mapping, _revision);

        /// <summary>This entry, holding <paramref name="held"/>'s twin id string when both spell the same id.</summary>
        public Entry KeepingIdOf(in Entry held) =>
            _twinId is not null && held._twinId is { } id && !ReferenceEquals(id, _twinId) && string.Equals(id, _twinId, StringComparison.Ordinal)
                ? new Entry(new DeviceRoute(_kind, id, _codec!, _mapping, _revision), ReadAt)
                : this;
    }

    private sealed class Stripe
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<ulong, Entry> _entries = [];

        public bool TryGet(ulong devEui, out Entry entry)
        {
            lock (_gate)
            {
                return _entries.TryGetValue(devEui, out entry);
            }
        }

        public bool SetUnlessKnown(ulong devEui, Entry entry)
        {
            lock (_gate)
            {
                if (_entries.TryGetValue(devEui, out Entry held) && held.Known)
                {
                    return false;
                }

                _entries.SetLean(devEui, entry);
                return true;
            }
        }

        /// <summary>Sets the entry, keeping the twin id string held before when the id is the same; returns what it set.</summary>
        public Entry Set(ulong devEui, Entry entry)
        {
            lock (_gate)
            {
                if (_entries.TryGetValue(devEui, out Entry held))
                {
                    entry = entry.KeepingIdOf(held);
                }

                _entries.SetLean(devEui, entry);
                return entry;
            }
        }
    }
}
