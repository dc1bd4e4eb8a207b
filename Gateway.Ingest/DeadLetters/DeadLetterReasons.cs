namespace TwinCity.Gateway.Ingest.DeadLetters;

/// <summary>Why a message was dead-lettered; stable codes for counting and alerting.</summary>
public static class DeadLetterReasons
{
    /// <summary>Not JSON, or JSON without what the network server always sends (a DevEUI).</summary>
    public const string MalformedEnvelope = "malformed-envelope";

    /// <summary>An MQTT topic or an event name ingest does not handle.</summary>
    public const string UnsupportedEvent = "unsupported-event";

    /// <summary>No device with this DevEUI is registered.</summary>
    public const string UnknownDevice = "unknown-device";

    /// <summary>The device's codec could not read the payload, or the registration names a codec that does not exist.</summary>
    public const string UndecodablePayload = "undecodable-payload";

    /// <summary>The values are properties of another kind of twin than the device is registered as.</summary>
    public const string WrongKind = "wrong-kind";

    /// <summary>The twin is not bound to this device (the registration changed under the message).</summary>
    public const string NotBound = "not-bound";

    /// <summary>The twin refused the uplink for good (a bug or an impossible value), not for a passing fault.</summary>
    public const string Rejected = "twin-rejected";

    /// <summary>The network key or the MQTT connection may not speak for the event's application.</summary>
    public const string ApplicationNotAllowed = "application-not-allowed";

    /// <summary>The event names another application than the one its topic names, or than the one the device was heard in.</summary>
    public const string ApplicationMismatch = "application-mismatch";

    /// <summary>The frame counter jumped further than <c>Twins:MaxFrameCounterGap</c> beyond the device's last one.</summary>
    public const string ImplausibleFrameCounter = "implausible-frame-counter";

    /// <summary>The event's time lies further from now than <c>Ingest:MaxClockSkew</c> ahead or <c>Ingest:MaxEventAge</c> behind.</summary>
    public const string ImplausibleTime = "implausible-time";
}
