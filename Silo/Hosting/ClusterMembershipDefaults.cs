using Microsoft.Extensions.Configuration;
using Orleans.Configuration;

namespace TwinCity.Silo.Hosting;

/// <summary>
/// How quickly a cluster silo declares another one dead, as TwinCity sets it before the operator's
/// <c>Orleans:Membership</c> settings are applied.
/// </summary>
/// <remarks>
/// <para>
/// A hung silo (SIGSTOP, a frozen VM) keeps its connections open and answers nothing. Every uplink a
/// survivor receives for a device that silo owns waits until Orleans declares it dead, and mosquitto
/// keeps handing the hung silo's session its share of the shared subscription, so the city's backlog
/// grows by a third for as long as that takes.
/// </para>
/// <para>
/// With Orleans' own defaults that is about a minute, and not because of the probes: a vote against a
/// silo is suppressed while the voter has received any message from it within
/// <c>MaxProbeTimeout × NumMissedProbesLimit</c> (the connection liveness check), which is 4 × 5 s × 3 = 60 s.
/// TwinCity probes every 2 s with a timeout of 1 to 2 s, so three missed probes and the liveness window
/// both come to about 6 s. A silo is still declared dead only on two votes (the survivor's own and the
/// silo it asked to probe indirectly), and a prober that finds itself degraded (thread-pool delays,
/// garbage-collection pauses) still lengthens its timeouts, as Orleans does by default.
/// </para>
/// </remarks>
public static class ClusterMembershipDefaults
{
    /// <summary>The period between probes of each silo, and their initial timeout.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Missed probes in a row before a silo votes its target dead.</summary>
    public const int NumMissedProbesLimit = 3;

    /// <summary>
    /// Sets TwinCity's defaults, then binds <paramref name="section"/> (<c>Orleans:Membership</c>) over them.
    /// Unless the section names <c>MaxProbeTimeout</c>, the longest a probe may take once Orleans has adapted
    /// its timeout is the probe timeout itself (Orleans' default is four times it).
    /// </summary>
    public static void Apply(ClusterMembershipOptions options, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(section);
        options.ProbeTimeout = ProbeTimeout;
        options.NumMissedProbesLimit = NumMissedProbesLimit;
        section.Bind(options);
        if (section[nameof(ClusterMembershipOptions.MaxProbeTimeout)] is null)
        {
            options.MaxProbeTimeout = options.ProbeTimeout;
        }
    }
}
