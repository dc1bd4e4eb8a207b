using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Storage;
using TwinCity.Gateway.Ingest.Affinity;
using TwinCity.Gateway.Ingest.Pipeline;
using TwinCity.Grains;
using TwinCity.Grains.Devices;
using TwinCity.Grains.Interfaces;
using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Silo.Hosting;

/// <summary>
/// Wakes the twins of the devices this silo owns as soon as it owns them: its share of the city
/// when the cluster starts, and the share of a silo that died or left when this one inherits it.
/// </summary>
/// <remarks>
/// A twin is a grain that otherwise wakes with its device's next uplink, which for a water meter may
/// be hours away. Until then the twin is in no cell, so the live map and the city's listings (built
/// from the cells) lack it, and a device that went silent while the cluster was down is never seen to
/// go offline, since only an active twin watches its deadline. Woken here, each twin loads its
/// snapshot and history, judges its device's connectivity and tells its cell of itself.
/// <para>
/// Which devices are this silo's is the ingest's own answer (<see cref="DeviceOwnership"/>: the
/// name the device's topics carry, on Orleans' ring), so each twin wakes on the silo that will apply
/// its uplinks and stays there. The registrations are read in one pass over the
/// registry, and those of this silo's devices are left in ingest's <see cref="DeviceDirectory"/> for
/// their first uplinks; the twins of the slots this silo gained are woken a bounded number at a time. A slot is
/// covered once its pass is done and until the silo loses it, or until a silo dies (any silo may have
/// held twins of this one's devices); a pass starts only once the silo's share has stayed the same for
/// <see cref="TwinWakeOptions.Settle"/>. ChirpStack's topics name a device by its DevEUI, The Things
/// Stack's by its device id, which the twin records with the registration from its first uplink
/// (<see cref="DeviceGrainState.NetworkDeviceId"/>). A device whose twin has not heard from it yet is
/// placed by its DevEUI, and its twin moves to the device id's silo with that first uplink.
/// </para>
/// </remarks>
public sealed partial class TwinWake(
    DeviceOwnership ownership,
    DeviceDirectory directory,
    IGrainFactory grains,
    ILocalActivationStatusChecker catalog,
    NpgsqlDataSource database,
    [FromKeyedServices(TwinStorage.Registry)] IGrainStorageSerializer serializer,
    IOptions<ClusterOptions> cluster,
    IOptions<TwinWakeOptions> options,
    ILogger<TwinWake> logger) : BackgroundService
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    private const string Registrations = """
        SELECT GrainIdN1, PayloadBinary FROM OrleansStorage
        WHERE GrainTypeString = $1 AND ServiceId = $2 AND PayloadBinary IS NOT NULL
        """;

    private long _woken;
    private long _failed;
    private long _alreadyActive;

    /// <summary>Twins this silo has woken since it started.</summary>
    public long Woken => Interlocked.Read(ref _woken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        var covered = new bool[DeviceOwnership.Slots];
        long seen = -1;
        long deaths = ownership.Deaths;
        long stableSince = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Poll, stoppingToken);
                if (!ownership.Known)
                {
                    continue;
                }

                long changes = ownership.Changes;
                if (changes != seen || ownership.Deaths != deaths)
                {
                    // A silo that died held twins of every silo's devices, not only of its own (a twin
                    // woken there by a call from the API, or on its way to its owner): all of this
                    // silo's slots are woken again, and a twin that lives on costs one local call.
                    bool died = ownership.Deaths != deaths;
                    seen = changes;
                    deaths = ownership.Deaths;
                    stableSince = Environment.TickCount64;
                    for (int slot = 0; slot < covered.Length; slot++)
                    {
                        covered[slot] &= !died && ownership.IsLocal(slot);
                    }

                    continue;
                }

                if (Environment.TickCount64 - stableSince < (long)options.Value.Settle.TotalMilliseconds)
                {
                    continue;
                }

                bool[] pass = new bool[DeviceOwnership.Slots];
                int slots = 0;
                for (int slot = 0; slot < pass.Length; slot++)
                {
                    if (!covered[slot] && ownership.IsLocal(slot))
                    {
                        pass[slot] = true;
                        slots++;
                    }
                }

                if (slots == 0)
                {
                    continue;
                }

                await WakeAsync(pass, slots, stoppingToken);
                for (int slot = 0; slot < pass.Length; slot++)
                {
                    covered[slot] |= pass[slot] && ownership.IsLocal(slot);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                // The database is away: the slots stay uncovered and the next round tries again.
                LogPassFailed(ex);
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>Wakes the twins of every registered device whose slot is in <paramref name="pass"/> and still this silo's.</summary>
    private async Task WakeAsync(bool[] pass, int slots, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        long wokenBefore = Woken;
        long failedBefore = Interlocked.Read(ref _failed);
        long activeBefore = Interlocked.Read(ref _alreadyActive);
        int concurrency = options.Value.Concurrency;
        using var gate = new SemaphoreSlim(concurrency, concurrency);
        char[] hex = new char[16];
        try
        {
            await using NpgsqlConnection connection = await database.OpenConnectionAsync(cancellationToken);
            await using var command = new NpgsqlCommand(Registrations, connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = DeviceGrain.StateName });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = cluster.Value.ServiceId });
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                ulong devEui = unchecked((ulong)reader.GetInt64(0));
                DeviceGrainState? device = Stored(reader.GetFieldValue<byte[]>(1));
                if (device?.Registration is not { } registration || registration.DevEui != devEui)
                {
                    continue;
                }

                // The device's key is the name its topics carry: the DevEUI for ChirpStack, the device
                // id for The Things Stack (which its twin recorded from an uplink).
                uint key;
                if (device.NetworkDeviceId is { Length: > 0 } deviceId)
                {
                    key = DeviceOwnership.KeyOfDevice(deviceId);
                }
                else
                {
                    devEui.TryFormat(hex, out _, "x16", System.Globalization.CultureInfo.InvariantCulture);
                    key = DeviceOwnership.KeyOfDevice(hex);
                }

                int slot = DeviceOwnership.SlotOf(key);
                if (!pass[slot] || !ownership.IsLocal(slot))
                {
                    continue;
                }

                // This silo applies the device's uplinks: the first one after the wake finds its
                // registration in ingest's cache instead of reading the store again.
                directory.Remember(devEui, registration);

                // A twin already active here (woken by its uplink meanwhile, or living on) is left be.
                ITwinGrain twin = grains.GetTwin(registration.Kind, registration.TwinId);
                if (catalog.IsLocallyActivated(twin.GetGrainId()))
                {
                    Interlocked.Increment(ref _alreadyActive);
                    continue;
                }

                await gate.WaitAsync(cancellationToken);
                _ = WakeOneAsync(twin, registration.TwinId, gate);
            }
        }
        finally
        {
            // Every twin called has answered (or failed) before the pass counts as done.
            for (int i = 0; i < concurrency; i++)
            {
                await gate.WaitAsync(CancellationToken.None);
            }
        }

        LogWoken(Woken - wokenBefore, slots, DeviceOwnership.Slots, clock.Elapsed.TotalSeconds, Interlocked.Read(ref _alreadyActive) - activeBefore, Interlocked.Read(ref _failed) - failedBefore);
    }

    private DeviceGrainState? Stored(byte[] payload)
    {
        try
        {
            return serializer.Deserialize<DeviceGrainState>(new BinaryData(payload));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A row this build cannot read is the device grain's to report when it wakes; its twin wakes with its next uplink.
            LogUnreadable(ex.GetType().Name);
            return null;
        }
    }

    private async Task WakeOneAsync(ITwinGrain twin, string twinId, SemaphoreSlim gate)
    {
        try
        {
            ValueTask waking;
            using (PresumedLocal.Begin(twin.GetGrainId()))
            {
                // Its device is this silo's, so the twin is to be woken here (or lives on elsewhere, which the directory says).
                waking = twin.WakeAsync(ownership.LocalSilo);
            }

            await waking;
            Interlocked.Increment(ref _woken);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // It wakes with its device's next uplink instead; the pass goes on.
            if (Interlocked.Increment(ref _failed) == 1)
            {
                LogWakeFailed(twinId, ex.GetType().Name, ex.Message);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Woke {Count} twins of the devices in {Slots} of the {Total} parts of the device ring this silo owns, in {Seconds:F1} s ({Active} were active here already; {Failed} could not be woken and wait for their next uplink)")]
    private partial void LogWoken(long count, int slots, int total, double seconds, long active, long failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Twin {TwinId} could not be woken ({Error}: {Message}); it wakes with its next uplink")]
    private partial void LogWakeFailed(string twinId, string error, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A device registration could not be read ({Error}); its twin wakes with its next uplink")]
    private partial void LogUnreadable(string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waking the twins of this silo's devices failed; it tries again shortly")]
    private partial void LogPassFailed(Exception exception);
}
