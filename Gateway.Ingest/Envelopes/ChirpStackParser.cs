using System.Text.Json;
using System.Text.Unicode;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Gateway.Ingest.Envelopes;

/// <summary>
/// Parses ChirpStack v4 integration events (the JSON its MQTT and HTTP integrations send) with a
/// forward-only <see cref="Utf8JsonReader"/>. The event type is not in the JSON: it comes from the
/// MQTT topic or the HTTP integration's <c>?event=</c>.
/// </summary>
public static class ChirpStackParser
{
    public static bool TryParse(ReadOnlySpan<byte> json, NetworkEvent kind, out Envelope envelope, out string? error)
    {
        envelope = new Envelope { Server = NetworkServer.ChirpStack, Event = kind };
        // The reader checks UTF-8 only when a string is read as text, and then throws: refuse it here, with a reason.
        if (!Utf8.IsValid(json))
        {
            error = "the ChirpStack event is not valid UTF-8 text";
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 32 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "the ChirpStack event is not a JSON object";
                return false;
            }

            ReadRoot(ref reader, envelope);
        }
        catch (JsonException ex)
        {
            error = "the ChirpStack event is not valid JSON: " + ex.Message;
            return false;
        }
        catch (EnvelopeParseException ex)
        {
            error = ex.Message;
            return false;
        }
        catch (InvalidOperationException ex)
        {
            // The reader throws this for text it cannot turn into a string, such as a lone escaped surrogate ("\uD800").
            error = "the ChirpStack event holds a string that is not valid text: " + ex.Message;
            return false;
        }

        if (!envelope.HasDevEui)
        {
            error = "the ChirpStack event has no deviceInfo.devEui";
            return false;
        }

        error = null;
        return true;
    }

    private static void ReadRoot(ref Utf8JsonReader reader, Envelope e)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            ReadOnlySpan<byte> name = reader.ValueSpan;
            reader.Read();
            if (name.SequenceEqual("deviceInfo"u8))
            {
                ReadDeviceInfo(ref reader, e);
            }
            else if (name.SequenceEqual("fCnt"u8))
            {
                e.FCnt = JsonReading.TryReadUInt32(ref reader, out uint f) ? f : throw new EnvelopeParseException("'fCnt' is not an unsigned 32-bit number");
            }
            else if (name.SequenceEqual("fPort"u8))
            {
                e.FPort = JsonReading.TryReadUInt32(ref reader, out uint p) && p <= 255 ? (int)p : throw new EnvelopeParseException("'fPort' is not a port number 0-255");
            }
            else if (name.SequenceEqual("data"u8))
            {
                e.Data = JsonReading.TryReadBase64(ref reader, out byte[]? data) ? data : throw new EnvelopeParseException("'data' is not base64");
            }
            else if (name.SequenceEqual("time"u8))
            {
                e.Time = JsonReading.TryReadTime(ref reader, out DateTime t) ? t : throw new EnvelopeParseException("'time' is not an ISO 8601 time");
            }
            else if (name.SequenceEqual("deduplicationId"u8))
            {
                e.Deduplication = JsonReading.ReadDeduplicationKey(ref reader);
            }
            else if (name.SequenceEqual("object"u8))
            {
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    e.Decoded = JsonElement.ParseValue(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (name.SequenceEqual("rxInfo"u8))
            {
                ReadRxInfo(ref reader, e);
            }
            else if (name.SequenceEqual("batteryLevel"u8))
            {
                e.BatteryPct = JsonReading.TryReadDouble(ref reader, out double? b) ? b : null;
            }
            else if (name.SequenceEqual("batteryLevelUnavailable"u8))
            {
                if (reader.TokenType == JsonTokenType.True)
                {
                    e.BatteryPct = null;
                }
            }
            else if (name.SequenceEqual("acknowledged"u8))
            {
                e.Acknowledged = reader.TokenType == JsonTokenType.True;
            }
            else if (name.SequenceEqual("queueItemId"u8) || name.SequenceEqual("downlinkId"u8) && e.DownlinkId is null)
            {
                // An opaque id: a number is kept as it was written, whatever its size.
                e.DownlinkId = reader.TokenType == JsonTokenType.Number ? System.Text.Encoding.UTF8.GetString(reader.ValueSpan) : JsonReading.ReadString(ref reader);
            }
            else if (name.SequenceEqual("level"u8))
            {
                e.LogLevel = JsonReading.ReadString(ref reader);
            }
            else if (name.SequenceEqual("code"u8))
            {
                e.LogCode = JsonReading.ReadString(ref reader);
            }
            else if (name.SequenceEqual("description"u8))
            {
                e.LogDescription = JsonReading.ReadString(ref reader);
            }
            else if (name.SequenceEqual("context"u8))
            {
                ReadLogContext(ref reader, e);
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static void ReadDeviceInfo(ref Utf8JsonReader reader, Envelope e)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new EnvelopeParseException("'deviceInfo' is not an object");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            ReadOnlySpan<byte> name = reader.ValueSpan;
            reader.Read();
            if (name.SequenceEqual("devEui"u8))
            {
                if (!JsonReading.TryReadDevEui(ref reader, out ulong devEui))
                {
                    throw new EnvelopeParseException("'deviceInfo.devEui' is not 16 hex digits");
                }

                e.DevEui = devEui;
                e.HasDevEui = true;
            }
            else if (name.SequenceEqual("applicationId"u8))
            {
                e.ApplicationId = JsonReading.ReadSharedString(ref reader);
            }
            else if (name.SequenceEqual("deviceName"u8))
            {
                e.DeviceId = JsonReading.ReadString(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static void ReadRxInfo(ref Utf8JsonReader reader, Envelope e)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }

        // Several gateways may hear one frame: keep the strongest.
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            int? rssi = null;
            double? snr = null;
            string? gateway = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                ReadOnlySpan<byte> name = reader.ValueSpan;
                reader.Read();
                if (name.SequenceEqual("rssi"u8) && JsonReading.TryReadDouble(ref reader, out double? r) && r is double rv)
                {
                    rssi = (int)Math.Round(rv);
                }
                else if (name.SequenceEqual("snr"u8) && JsonReading.TryReadDouble(ref reader, out double? s))
                {
                    snr = s;
                }
                else if (name.SequenceEqual("gatewayId"u8))
                {
                    gateway = JsonReading.ReadSharedString(ref reader, upperCase: true);
                }
                else
                {
                    reader.Skip();
                }
            }

            if (e.Rssi is null || (rssi is int candidate && candidate > e.Rssi))
            {
                e.Rssi = rssi;
                e.Snr = snr;
                e.Gateway = gateway;
            }
        }
    }

    private static void ReadLogContext(ref Utf8JsonReader reader, Envelope e)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            ReadOnlySpan<byte> name = reader.ValueSpan;
            reader.Read();
            if ((name.SequenceEqual("queue_item_id"u8) || name.SequenceEqual("queueItemId"u8)) && reader.TokenType == JsonTokenType.String)
            {
                e.DownlinkId = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }
    }
}
