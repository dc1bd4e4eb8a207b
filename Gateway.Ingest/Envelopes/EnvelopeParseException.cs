namespace TwinCity.Gateway.Ingest.Envelopes;

/// <summary>Raised inside the parsers only, to unwind to the single place that turns it into a reason.</summary>
internal sealed class EnvelopeParseException(string reason) : Exception(reason);
