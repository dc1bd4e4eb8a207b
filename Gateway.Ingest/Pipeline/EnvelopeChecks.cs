using TwinCity.Gateway.Ingest.DeadLetters;
using TwinCity.Gateway.Ingest.Envelopes;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Gateway.Ingest.Pipeline;

/// <summary>
/// What ingest demands of a parsed event before it looks its device up: the application its topic and
/// its body name agree, the sender may speak for it, the ids that reach downlink topics are safe, and
/// its time lies within the configured skew of now. Plain code over the envelope, so that the fuzzer
/// runs exactly what ingest runs.
/// </summary>
public static class EnvelopeChecks
{
    /// <summary>
    /// True when the event may go on; else the dead-letter reason and the detail. Settles the event's
    /// application id (The Things Stack's topic names it with its tenant, which downlinks need).
    /// </summary>
    public static bool TryAdmit(Envelope envelope, in IngestMessage message, DateTime now, TimeSpan maxClockSkew, TimeSpan maxEventAge, out string? reason, out string? detail)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (message.ApplicationId is not null && envelope.ApplicationId is not null && !NetworkApplications.Same(message.ApplicationId, envelope.ApplicationId))
        {
            // A publisher allowed on one application's topics may not post another application's events there.
            return Refuse(DeadLetterReasons.ApplicationMismatch, $"the topic names application '{message.ApplicationId}' and the event application '{envelope.ApplicationId}'", out reason, out detail);
        }

        envelope.ApplicationId ??= message.ApplicationId;
        if (envelope.Server == NetworkServer.TheThingsStack && message.ApplicationId is not null)
        {
            envelope.ApplicationId = message.ApplicationId;
        }

        // These ids are kept on the twin and later put into downlink topics (ChirpStack's device name is
        // free text, never in a topic: its downlinks name the DevEUI).
        if ((NetworkIds.Problem("application id", envelope.ApplicationId)
            ?? (envelope.Server == NetworkServer.TheThingsStack ? NetworkIds.Problem("device id", envelope.DeviceId) : null)) is { } unsafeId)
        {
            return Refuse(DeadLetterReasons.MalformedEnvelope, unsafeId, out reason, out detail);
        }

        if (message.Applications is { } allowed && !NetworkApplications.Allows(allowed, envelope.ApplicationId))
        {
            return Refuse(DeadLetterReasons.ApplicationNotAllowed, envelope.ApplicationId is null
                ? "the event names no application, and this sender may speak only for " + string.Join(", ", allowed)
                : $"this sender may not speak for application '{envelope.ApplicationId}'", out reason, out detail);
        }

        if (envelope.Time != default && (envelope.Time > now + maxClockSkew || envelope.Time < now - maxEventAge))
        {
            bool ahead = envelope.Time > now;
            return Refuse(DeadLetterReasons.ImplausibleTime,
                $"the event's time {envelope.Time:O} is more than {(ahead ? maxClockSkew : maxEventAge)} {(ahead ? "ahead of" : "behind")} now ({now:O})", out reason, out detail);
        }

        reason = null;
        detail = null;
        return true;
    }

    private static bool Refuse(string code, string why, out string? reason, out string? detail)
    {
        reason = code;
        detail = why;
        return false;
    }
}
