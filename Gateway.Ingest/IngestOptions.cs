using System.ComponentModel.DataAnnotations;

namespace TwinCity.Gateway.Ingest;

/// <summary>Configuration section "Ingest".</summary>
public sealed class IngestOptions
{
    public const string Section = "Ingest";

    /// <summary>How many of the latest dead letters each silo keeps in memory.</summary>
    [Range(1, 1_000_000)]
    public int DeadLetterCapacity { get; set; } = 10_000;

    /// <summary>
    /// How long a device's registration is cached by ingest before it is read again. A change is
    /// noticed sooner: the twin refuses an uplink routed by an older registration.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan RegistrationCacheTime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long an unknown DevEUI is remembered as unknown (a device registered meanwhile is found after this).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan UnknownDeviceCacheTime { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How many recent ChirpStack deduplication ids are remembered to drop repeats early.</summary>
    [Range(0, 10_000_000)]
    public int DeduplicationWindow { get; set; } = 100_000;

    /// <summary>
    /// Cluster mode: how long a silo gathers the messages it received for another silo's devices
    /// before it passes them on, when fewer than <see cref="ForwardBatch"/> wait. Each batch is two
    /// messages between silos (the call and its answer), so a longer window means fewer of them and a
    /// little more latency; under load the batches grow by themselves while one is on its way.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan ForwardWindow { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Cluster mode: the most messages passed to another silo in one batch.</summary>
    [Range(1, 100_000)]
    public int ForwardBatch { get; set; } = 2000;

    /// <summary>
    /// Cluster mode: how long a batch passed to another silo may go unanswered before that silo is asked
    /// for a ping, and how long the ping may then go unanswered before the silo is taken for hung: the
    /// batch and the messages queued behind it for that silo then stop counting against this silo's MQTT
    /// window (<c>Mqtt:WaitingForSilentSilos</c>). A silo that is only busy answers a ping within
    /// milliseconds; a hung one is found within twice this. While some silo is so silent, a lane whose
    /// twin call has gone unanswered this long sets its messages aside to wait beside the window too
    /// (<see cref="Intake.IntakeLanes"/>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan SilentOwnerAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Cluster mode: how long a silo tries again a message another silo forwarded to it (a passing
    /// fault) before it gives it back, so that the sender routes it again (perhaps elsewhere) well
    /// within the call's timeout.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:20")]
    public TimeSpan ForwardedRetryFor { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How far ahead of this silo's clock an event's <c>time</c> may lie (clocks of network servers
    /// drift a little); a later one is dead-lettered, so that a forged time cannot keep a dead device online.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How far behind this silo's clock an event's <c>time</c> may lie; an older one is dead-lettered.
    /// Longer than a broker keeps a silo's session (<c>Mqtt:SessionExpirySeconds</c>, a day), so that
    /// what a broker held through an outage still applies.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan MaxEventAge { get; set; } = TimeSpan.FromDays(7);
}
