using System.Text.Json;
using TwinCity.Gateway.Ingest.Codecs;
using TwinCity.Gateway.Ingest.Envelopes;
using TwinCity.Gateway.Ingest.Pipeline;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Fuzz.Targets;

/// <summary>
/// What ingest reads out of a parsed envelope: the network server's decoded object, mapped for
/// every twin kind, and the raw payload, through every codec that serves a kind. An envelope is
/// accepted when some kind could take it; a reason is required otherwise.
/// </summary>
internal static class EnvelopeContents
{
    [ThreadStatic]
    private static List<Reading>? _readings;

    public static FuzzVerdict Check(Envelope envelope)
    {
        List<Reading> readings = _readings ??= new List<Reading>(32);
        string? reason = null;
        bool anyAccepted = envelope.Event != NetworkEvent.Up;
        if (envelope.Decoded is JsonElement decoded)
        {
            foreach (TwinKind kind in TwinKinds.All)
            {
                readings.Clear();
                DecodedObjectMapper.MapResult result = DecodedObjectMapper.Map(decoded, kind, null, readings);
                anyAccepted |= result.Problem is null;
                reason ??= result.Problem;
            }
        }

        if (envelope.Data is { } data)
        {
            foreach (IPayloadCodec codec in BuiltInCodecs.All)
            {
                foreach (TwinKind kind in TwinKinds.All)
                {
                    if (!codec.Supports(kind))
                    {
                        continue;
                    }

                    readings.Clear();
                    DecodeResult result = codec.Decode(data, envelope.FPort, new CodecContext(kind), readings);
                    if (!result.Ok && string.IsNullOrWhiteSpace(result.Error))
                    {
                        return FuzzVerdict.Refuse(null);
                    }

                    anyAccepted |= result.Ok;
                    reason ??= result.Error;
                }
            }
        }

        return anyAccepted || (envelope.Decoded is null && envelope.Data is null)
            ? FuzzVerdict.Accept
            : FuzzVerdict.Refuse(reason);
    }
}
