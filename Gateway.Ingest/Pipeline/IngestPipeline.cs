using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using TwinCity.Gateway.Ingest.Codecs;
using TwinCity.Gateway.Ingest.DeadLetters;
using TwinCity.Gateway.Ingest.Envelopes;
using TwinCity.Grains.Interfaces;
using TwinCity.Grains.Interfaces.Commands;
using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Grains.Interfaces.History;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Gateway.Ingest.Pipeline;

/// <summary>
/// One network-server message to its twin: parse the envelope, find the device, decode the payload
/// (the server's decoded object, else the device's codec), call the twin. Shared by the MQTT
/// consumer and the HTTP integration. Bad input never throws out of here: it becomes a dead letter
/// with its reason; a passing fault becomes <see cref="IngestOutcome.Retry"/> so the transport
/// leaves the message unacknowledged.
/// </summary>
public sealed partial class IngestPipeline(
    IGrainFactory grains,
    DeviceDirectory directory,
    CodecRegistry codecs,
    DeadLetterStore deadLetters,
    IngestMetrics metrics,
    IUplinkJournal journal,
    IOptions<IngestOptions> options,
    IOptions<Mqtt.MqttOptions> mqtt,
    TimeProvider time,
    ILogger<IngestPipeline> logger,
    ILocalSiloDetails? silo = null)
{
    /// <summary>The applications the MQTT connection takes events for; null for every one.</summary>
    private readonly string[]? _mqttApplications = mqtt.Value.Applications is { Count: > 0 } list ? [.. list.Select(a => a.Trim())] : null;

    private readonly TimeSpan _maxClockSkew = options.Value.MaxClockSkew;

    private readonly TimeSpan _maxEventAge = options.Value.MaxEventAge;

    /// <summary>This silo, named in each uplink so that a twin hosted elsewhere can tell, and move here.</summary>
    private readonly SiloAddress? _silo = silo?.SiloAddress;

    private readonly RecentIds _recent = new(options.Value.DeduplicationWindow);

    [ThreadStatic]
    private static List<Reading>? _threadReadings;

    /// <summary>
    /// A message from MQTT, by its topic: a network-server event goes through <see cref="ProcessAsync(IngestMessage)"/>;
    /// a downlink TwinCity itself pushed to The Things Stack (echoed by a broker that serves both
    /// sides) is ignored; a topic of no network server is a dead letter.
    /// </summary>
    public ValueTask<IngestResult> ProcessMqttAsync(string topic, ReadOnlyMemory<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (IngestTopics.IsDownlinkRequest(topic))
        {
            return ValueTask.FromResult(IngestResult.Ignored("a downlink request, not a network-server event"));
        }

        if (!IngestTopics.TryParse(topic, out NetworkServer server, out NetworkEvent networkEvent, out string? applicationId))
        {
            metrics.DeadLettered(DeadLetterReasons.UnsupportedEvent);
            deadLetters.Add(DeadLetterReasons.UnsupportedEvent, $"topic '{topic}' is not a ChirpStack or The Things Stack event topic", "mqtt", topic, null, payload.Span);
            return ValueTask.FromResult(new IngestResult(IngestOutcome.DeadLettered, DeadLetterReasons.UnsupportedEvent));
        }

        return ProcessAsync(new IngestMessage(payload, server, networkEvent, "mqtt", topic, applicationId, _mqttApplications));
    }

    // Every uplink goes through three awaits that complete later (the twin's answer): their state
    // machines come from a pool rather than being allocated per uplink.
    /// <summary>
    /// Notes the uplink as seen once its record is durable. A method of its own, so that the
    /// continuation's closure is made only for such uplinks, not on every message's way through.
    /// </summary>
    private void RememberWhenDurable(Task durable, DeduplicationKey id) =>
        _ = durable.ContinueWith(_ => _recent.Add(id), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<IngestResult> ProcessAsync(IngestMessage message)
    {
        Envelope envelope;
        string? error;
        bool parsed = message.Server switch
        {
            NetworkServer.ChirpStack when message.Event == NetworkEvent.Unknown =>
                Fail(out envelope, out error, "the ChirpStack event name is missing or not one of up, join, status, ack, txack, log"),
            NetworkServer.ChirpStack => ChirpStackParser.TryParse(message.Payload.Span, message.Event, out envelope, out error),
            NetworkServer.TheThingsStack => TheThingsStackParser.TryParse(message.Payload.Span, out envelope, out error),
            _ => Fail(out envelope, out error, "the message is from no network server ingest knows"),
        };
        if (!parsed)
        {
            string reason = message.Server == NetworkServer.ChirpStack && message.Event == NetworkEvent.Unknown
                ? DeadLetterReasons.UnsupportedEvent
                : DeadLetterReasons.MalformedEnvelope;
            return Dead(message, reason, error!, null);
        }

        if (!EnvelopeChecks.TryAdmit(envelope, message, time.GetUtcNow().UtcDateTime, _maxClockSkew, _maxEventAge, out string? refusal, out string? why))
        {
            return Dead(message, refusal!, why!, envelope);
        }

        if (envelope.Deduplication.HasValue && envelope.Event == NetworkEvent.Up && _recent.Contains(envelope.Deduplication))
        {
            metrics.Duplicate();
            return IngestResult.Duplicate;
        }

        try
        {
            if (await directory.FindAsync(envelope.DevEui) is not { } route)
            {
                return Dead(message, DeadLetterReasons.UnknownDevice, $"no device {DevEui.Format(envelope.DevEui)} is registered", envelope);
            }

            IngestResult result = await ApplyAsync(message, envelope, route);
            if (result.Outcome == IngestOutcome.DeadLettered && result.Reason == DeadLetterReasons.NotBound)
            {
                // The cached registration may be stale: read it again once before giving up.
                result = await directory.ReadAgainAsync(envelope.DevEui) is { } again
                    ? await ApplyAsync(message, envelope, again)
                    : new IngestResult(IngestOutcome.DeadLettered, DeadLetterReasons.UnknownDevice, $"no device {DevEui.Format(envelope.DevEui)} is registered");
            }
            else if (result.Outcome == IngestOutcome.DeadLettered
                && result.Reason is DeadLetterReasons.UndecodablePayload or DeadLetterReasons.WrongKind
                && directory.IsOlderThan(envelope.DevEui, DeviceDirectory.RecheckAfter))
            {
                // The device may have been registered again with another codec or kind since this
                // entry was read: read it again (at most once a minute per device) and retry if it changed.
                if (await directory.ReadAgainAsync(envelope.DevEui) is { } fresh && fresh.Revision != route.Revision)
                {
                    result = await ApplyAsync(message, envelope, fresh);
                }
            }

            if (result.Outcome == IngestOutcome.DeadLettered)
            {
                return Dead(message, result.Reason!, result.Detail!, envelope);
            }

            if (result.Outcome == IngestOutcome.Applied && envelope.Deduplication is { HasValue: true } id)
            {
                // Only an uplink whose record is durable may be dropped as a repeat: one whose record
                // failed comes again from the broker and must reach the journal then.
                if (result.Durable is { } durable)
                {
                    RememberWhenDurable(durable, id);
                }
                else
                {
                    _recent.Add(id);
                }
            }

            return result;
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            return Dead(message, DeadLetterReasons.Rejected, ex.Message, envelope);
        }
        catch (Exception ex)
        {
            metrics.Retry();
            LogRetry(ex, DevEui.Format(envelope.DevEui));
            return new IngestResult(IngestOutcome.Retry, "unavailable", ex.Message);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<IngestResult> ApplyAsync(IngestMessage message, Envelope envelope, DeviceRoute route)
    {
        ITwinGrain twin = grains.GetTwin(route.Kind, route.TwinId);
        DateTime at = envelope.Time == default ? time.GetUtcNow().UtcDateTime : envelope.Time;
        switch (envelope.Event)
        {
            case NetworkEvent.Up:
                return await ApplyUplinkAsync(envelope, route, twin, at);
            case NetworkEvent.Join:
                await twin.JoinedAsync(envelope.DevEui, at);
                return IngestResult.Applied;
            case NetworkEvent.Status:
                await twin.DeviceStatusAsync(envelope.DevEui, envelope.BatteryPct, envelope.Radio, at);
                return IngestResult.Applied;
            case NetworkEvent.Log:
                await twin.DeviceLogAsync(envelope.DevEui, new DeviceLogEntry(at, envelope.LogLevel ?? "INFO", envelope.LogCode, envelope.LogDescription));
                if (envelope.DownlinkId is { } failedDownlink && string.Equals(envelope.LogLevel, "ERROR", StringComparison.OrdinalIgnoreCase))
                {
                    // ChirpStack reports a downlink it could not deliver as an error log naming its queue item.
                    await twin.DownlinkEventAsync(new DownlinkEvent(envelope.DevEui, failedDownlink, DownlinkEventKind.Failed, at, $"{envelope.LogCode}: {envelope.LogDescription}"));
                }

                return IngestResult.Applied;
            case NetworkEvent.Ack or NetworkEvent.Nack or NetworkEvent.TxAck or NetworkEvent.DownlinkFailed when envelope.DownlinkId is { } downlinkId:
                DownlinkEventKind kind = envelope.Event switch
                {
                    NetworkEvent.TxAck => DownlinkEventKind.Transmitted,
                    NetworkEvent.Ack when envelope.Acknowledged != false => DownlinkEventKind.Acknowledged,
                    _ => DownlinkEventKind.Failed,
                };
                string? reason = kind == DownlinkEventKind.Failed
                    ? envelope.LogDescription ?? (envelope.Event == NetworkEvent.DownlinkFailed ? "the network server could not deliver the downlink" : "the device did not acknowledge the downlink")
                    : null;
                await twin.DownlinkEventAsync(new DownlinkEvent(envelope.DevEui, downlinkId, kind, at, reason));
                return IngestResult.Applied;
            default:
                return IngestResult.Ignored($"{NetworkEvents.Name(envelope.Event)} events carry nothing for the twin");
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<IngestResult> ApplyUplinkAsync(Envelope envelope, DeviceRoute route, ITwinGrain twin, DateTime at)
    {
        List<Reading> readings = _threadReadings ??= new List<Reading>(16);
        readings.Clear();
        if (envelope.Decoded is { } decoded)
        {
            DecodedObjectMapper.MapResult mapped = DecodedObjectMapper.Map(decoded, route.Kind, route.Mapping, readings);
            if (readings.Count == 0 && mapped.ForeignProperties > 0 && envelope.Data is null)
            {
                return new IngestResult(IngestOutcome.DeadLettered, DeadLetterReasons.WrongKind,
                    $"the decoded object holds properties of another kind, and the device is registered as {route.Kind.ToUrlName()}");
            }

            if (readings.Count == 0 && mapped.Problem is not null && envelope.Data is null)
            {
                return new IngestResult(IngestOutcome.DeadLettered, DeadLetterReasons.UndecodablePayload, "the decoded object does not fit: " + mapped.Problem);
            }
        }

        if (readings.Count == 0 && envelope.Data is { Length: > 0 } data)
        {
            if (!codecs.TryGet(route.Codec, out IPayloadCodec? codec))
            {
                return new IngestResult(IngestOutcome.DeadLettered, DeadLetterReasons.UndecodablePayload, $"the device's codec '{route.Codec}' is not known");
            }

            DecodeResult decodedResult = codec.Decode(data, envelope.FPort, new CodecContext(route.Kind, route.Mapping), readings);
            if (!decodedResult.Ok)
            {
                return new IngestResult(IngestOutcome.DeadLettered, DeadLetterReasons.UndecodablePayload, $"{route.Codec}: {decodedResult.Error}");
            }
        }

        var uplink = new Uplink(envelope.DevEui, envelope.FCnt, at, [.. readings], envelope.Radio, envelope.Server, envelope.ApplicationId, envelope.DeviceId, route.Revision, _silo);
        readings.Clear();
        ValueTask<UplinkOutcome> applying;
        using (PresumedLocal.Begin(twin.GetGrainId()))
        {
            // This silo applies the device's uplinks, so its twin lives here or is to be woken here.
            applying = twin.UplinkAsync(uplink);
        }

        switch (await applying)
        {
            case UplinkOutcome.Applied:
                metrics.UplinkApplied(route.Kind);
                Task durable = journal.AppendAsync(new HistoryRecord(route.Kind, route.TwinId, envelope.DevEui, envelope.FCnt, at, uplink.Values, uplink.Radio));
                return new IngestResult(IngestOutcome.Applied, Durable: durable.IsCompletedSuccessfully ? null : durable);
            case UplinkOutcome.Duplicate when journal.IsDurable:
                // The twin may have applied it on an earlier delivery whose record never became
                // durable (the write failed, so the message came again): record it now, or a crash
                // before the next snapshot would lose it. The history's key makes a second copy a no-op.
                metrics.Duplicate();
                Task recorded = journal.AppendAsync(new HistoryRecord(route.Kind, route.TwinId, envelope.DevEui, envelope.FCnt, at, uplink.Values, uplink.Radio));
                return new IngestResult(IngestOutcome.Duplicate, Durable: recorded.IsCompletedSuccessfully ? null : recorded);
            case UplinkOutcome.Duplicate:
                metrics.Duplicate();
                return IngestResult.Duplicate;
            case UplinkOutcome.OtherApplication:
                return new IngestResult(IngestOutcome.DeadLettered, DeadLetterReasons.ApplicationMismatch,
                    $"device {DevEui.Format(envelope.DevEui)} is heard in another application than '{envelope.ApplicationId}'; delete and provision it again to move it");
            case UplinkOutcome.FrameCounterJump:
                return new IngestResult(IngestOutcome.DeadLettered, DeadLetterReasons.ImplausibleFrameCounter,
                    $"frame counter {envelope.FCnt} jumps implausibly far beyond the device's last one");
            default:
                return new IngestResult(IngestOutcome.DeadLettered, DeadLetterReasons.NotBound,
                    $"twin {route.Kind.ToUrlName()}/{route.TwinId} is not bound to device {DevEui.Format(envelope.DevEui)}");
        }
    }

    private IngestResult Dead(IngestMessage message, string reason, string detail, Envelope? envelope)
    {
        metrics.DeadLettered(reason);
        deadLetters.Add(
            reason,
            detail,
            $"{message.Channel}/{ServerName(message.Server)}",
            message.Topic,
            envelope is { HasDevEui: true } ? DevEui.Format(envelope.DevEui) : null,
            message.Payload.Span);
        return new IngestResult(IngestOutcome.DeadLettered, reason, detail);
    }

    private static string ServerName(NetworkServer server) => server switch
    {
        NetworkServer.ChirpStack => "chirpstack",
        NetworkServer.TheThingsStack => "tts",
        _ => "unknown",
    };

    private static bool Fail(out Envelope envelope, out string? error, string reason)
    {
        envelope = new Envelope();
        error = reason;
        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Uplink of {DevEui} left for redelivery after a passing fault")]
    private partial void LogRetry(Exception exception, string devEui);
}
