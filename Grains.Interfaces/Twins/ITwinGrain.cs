using Orleans.Concurrency;
using TwinCity.Grains.Interfaces.Commands;

namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>
/// The live twin of one device. The key is the agency's asset id; each kind has its own grain
/// type (see <see cref="TwinGrains"/>). Only this grain changes its twin: everyone else asks it.
/// </summary>
[Alias("twincity.ITwinGrain")]
public interface ITwinGrain : IGrainWithStringKey
{
    /// <summary>Binds a device to this twin (or updates its registration).</summary>
    [Alias("Provision")]
    Task ProvisionAsync(TwinProvision provision);

    /// <summary>Unbinds the device when its registration is deleted; the twin keeps its history.</summary>
    [Alias("Unbind")]
    Task UnbindAsync(ulong devEui);

    /// <summary>
    /// Applies a decoded uplink: drops a duplicate (same or older frame counter, except a reset
    /// after a join), applies the values, bumps the version and notes the change time.
    /// </summary>
    [Alias("Uplink")]
    ValueTask<UplinkOutcome> UplinkAsync(Uplink uplink);

    /// <summary>The device (re)joined the network: its next frame counter may start again from zero.</summary>
    [Alias("Joined")]
    ValueTask JoinedAsync(ulong devEui, DateTime at);

    /// <summary>A network-server status event: battery and radio, without application values.</summary>
    [Alias("DeviceStatus")]
    ValueTask DeviceStatusAsync(ulong devEui, double? batteryPct, RadioInfo? radio, DateTime at);

    /// <summary>A network server's log event about the device; the twin keeps the latest few.</summary>
    [Alias("DeviceLog")]
    ValueTask DeviceLogAsync(ulong devEui, DeviceLogEntry entry);

    /// <summary>The twin document, or null when no device was ever provisioned for this id.</summary>
    [Alias("Get")]
    ValueTask<TwinDocument?> GetAsync();

    /// <summary>Registers (or refreshes) a watcher of the whole document; watchers not refreshed within the lease are dropped.</summary>
    [Alias("Watch")]
    Task WatchAsync(ITwinObserver observer);

    [Alias("Unwatch")]
    Task UnwatchAsync(ITwinObserver observer);

    /// <summary>Issues a command: sets the desired values, publishes the downlink, and follows it to confirmed, failed or expired.</summary>
    [Alias("IssueCommand")]
    Task<CommandResult> IssueCommandAsync(CommandRequest request);

    [Alias("GetCommand")]
    ValueTask<CommandInfo?> GetCommandAsync(string commandId);

    /// <summary>The network server's word on a downlink (transmitted, acknowledged, failed).</summary>
    [Alias("DownlinkEvent")]
    ValueTask DownlinkEventAsync(DownlinkEvent downlinkEvent);

    /// <summary>A rule's effect ends: values it set are put back as they were, unless someone has changed them since.</summary>
    [Alias("ReleaseRuleHold")]
    Task<bool> ReleaseRuleHoldAsync(string ruleId);

    /// <summary>Sets desired values on behalf of <paramref name="by"/>; returns the new version.</summary>
    [Alias("SetDesired")]
    ValueTask<long> SetDesiredAsync([Immutable] Reading[] values, string by);

    /// <summary>
    /// Tells the twin's cell again how the twin stands: the cell has just activated knowing nothing,
    /// its last activation lost with a silo (a cell is a projection held only in memory).
    /// </summary>
    [OneWay, Alias("PublishToCell")]
    Task PublishToCellAsync();

    /// <summary>
    /// Wakes the twin and does nothing else: waking is what matters (it loads its snapshot and the
    /// history after it, judges its device's connectivity and tells its cell of itself). A cluster
    /// wakes the twins of the devices a silo takes on, so that they are in the city's listings and
    /// are seen to go offline without waiting for their next uplink. A twin active on another silo
    /// than <paramref name="owner"/>, the silo that owns its device, moves there once idle.
    /// </summary>
    [Alias("Wake")]
    ValueTask WakeAsync(SiloAddress owner);
}
