using System.Text.Json;
using System.Text.Unicode;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Gateway.Ingest.Envelopes;

/// <summary>
/// Parses The Things Stack v3 application messages (MQTT and webhooks send the same JSON). The
/// event is known from which message field is present: <c>uplink_message</c>, <c>join_accept</c>,
/// <c>downlink_ack</c>, <c>downlink_nack</c>, <c>downlink_sent</c>, <c>downlink_failed</c>, <c>downlink_queued</c>.
/// Routing is by <c>end_device_ids.dev_eui</c>: <c>device_id</c> is the operator's name, not the DevEUI.
/// </summary>
public static class TheThingsStackParser
{
    /// <summary>Correlation ids TwinCity puts on its downlinks start with this, followed by the command id.</summary>
    public const string CorrelationPrefix = "twincity:cmd:";

    public static bool TryParse(ReadOnlySpan<byte> json, out Envelope envelope, out string? error)
    {
        envelope = new Envelope { Server = NetworkServer.TheThingsStack };
        // The reader checks UTF-8 only when a string is read as text, and then throws: refuse it here, with a reason.
        if (!Utf8.IsValid(json))
        {
            error = "the The Things Stack message is not valid UTF-8 text";
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 32 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "the The Things Stack message is not a JSON object";
                return false;
            }

            ReadRoot(ref reader, envelope);
        }
        catch (JsonException ex)
        {
            error = "the The Things Stack message is not valid JSON: " + ex.Message;
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
            error = "the The Things Stack message holds a string that is not valid text: " + ex.Message;
            return false;
        }

        if (!envelope.HasDevEui)
        {
            error = "the The Things Stack message has no end_device_ids.dev_eui";
            return false;
        }

        if (envelope.Event == NetworkEvent.Unknown)
        {
            error = "the The Things Stack message is none of uplink_message, join_accept or a downlink event";
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
            if (name.SequenceEqual("end_device_ids"u8))
            {
                ReadDeviceIds(ref reader, e);
            }
            else if (name.SequenceEqual("received_at"u8))
            {
                if (e.Time == default && JsonReading.TryReadTime(ref reader, out DateTime t))
                {
                    e.Time = t;
                }
            }
            else if (name.SequenceEqual("uplink_message"u8))
            {
                e.Event = NetworkEvent.Up;
                ReadUplink(ref reader, e);
            }
            else if (name.SequenceEqual("join_accept"u8))
            {
                e.Event = NetworkEvent.Join;
                reader.Skip();
            }
            else if (name.SequenceEqual("downlink_ack"u8))
            {
                e.Event = NetworkEvent.Ack;
                e.Acknowledged = true;
                ReadDownlink(ref reader, e);
            }
            else if (name.SequenceEqual("downlink_nack"u8))
            {
                e.Event = NetworkEvent.Nack;
                e.Acknowledged = false;
                ReadDownlink(ref reader, e);
            }
            else if (name.SequenceEqual("downlink_sent"u8))
            {
                e.Event = NetworkEvent.TxAck;
                ReadDownlink(ref reader, e);
            }
            else if (name.SequenceEqual("downlink_failed"u8))
            {
                e.Event = NetworkEvent.DownlinkFailed;
                ReadDownlink(ref reader, e);
            }
            else if (name.SequenceEqual("downlink_queued"u8))
            {
                e.Event = NetworkEvent.DownlinkQueued;
                ReadDownlink(ref reader, e);
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static void ReadDeviceIds(ref Utf8JsonReader reader, Envelope e)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new EnvelopeParseException("'end_device_ids' is not an object");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            ReadOnlySpan<byte> name = reader.ValueSpan;
            reader.Read();
            if (name.SequenceEqual("dev_eui"u8))
            {
                if (!JsonReading.TryReadDevEui(ref reader, out ulong devEui))
                {
                    throw new EnvelopeParseException("'end_device_ids.dev_eui' is not 16 hex digits");
                }

                e.DevEui = devEui;
                e.HasDevEui = true;
            }
            else if (name.SequenceEqual("device_id"u8))
            {
                e.DeviceId = JsonReading.ReadString(ref reader);
            }
            else if (name.SequenceEqual("application_ids"u8) && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    bool isId = reader.ValueSpan.SequenceEqual("application_id"u8);
                    reader.Read();
                    if (isId && e.ApplicationId is null)
                    {
                        e.ApplicationId = JsonReading.ReadSharedString(ref reader);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static void ReadUplink(ref Utf8JsonReader reader, Envelope e)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new EnvelopeParseException("'uplink_message' is not an object");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            ReadOnlySpan<byte> name = reader.ValueSpan;
            reader.Read();
            if (name.SequenceEqual("f_cnt"u8))
            {
                e.FCnt = JsonReading.TryReadUInt32(ref reader, out uint f) ? f : throw new EnvelopeParseException("'uplink_message.f_cnt' is not an unsigned 32-bit number");
            }
            else if (name.SequenceEqual("f_port"u8))
            {
                e.FPort = JsonReading.TryReadUInt32(ref reader, out uint p) && p <= 255 ? (int)p : throw new EnvelopeParseException("'uplink_message.f_port' is not a port number 0-255");
            }
            else if (name.SequenceEqual("frm_payload"u8))
            {
                e.Data = JsonReading.TryReadBase64(ref reader, out byte[]? data) ? data : throw new EnvelopeParseException("'uplink_message.frm_payload' is not base64");
            }
            else if (name.SequenceEqual("decoded_payload"u8))
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
            else if (name.SequenceEqual("rx_metadata"u8))
            {
                ReadRxMetadata(ref reader, e);
            }
            else if (name.SequenceEqual("received_at"u8))
            {
                // The uplink's own reception time is the measurement time; the envelope's is when it was forwarded.
                e.Time = JsonReading.TryReadTime(ref reader, out DateTime t) ? t : throw new EnvelopeParseException("'uplink_message.received_at' is not an ISO 8601 time");
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static void ReadRxMetadata(ref Utf8JsonReader reader, Envelope e)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            int? rssi = null;
            double? snr = null;
            string? gateway = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                ReadOnlySpan<byte> name = reader.ValueSpan;
                reader.Read();
                if ((name.SequenceEqual("rssi"u8) || (name.SequenceEqual("channel_rssi"u8) && rssi is null))
                    && JsonReading.TryReadDouble(ref reader, out double? r) && r is double rv)
                {
                    rssi = (int)Math.Round(rv);
                }
                else if (name.SequenceEqual("snr"u8) && JsonReading.TryReadDouble(ref reader, out double? s))
                {
                    snr = s;
                }
                else if (name.SequenceEqual("gateway_ids"u8) && reader.TokenType == JsonTokenType.StartObject)
                {
                    string? id = null;
                    string? eui = null;
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        ReadOnlySpan<byte> g = reader.ValueSpan;
                        reader.Read();
                        if (g.SequenceEqual("gateway_id"u8))
                        {
                            id = JsonReading.ReadSharedString(ref reader);
                        }
                        else if (g.SequenceEqual("eui"u8))
                        {
                            eui = JsonReading.ReadSharedString(ref reader, upperCase: true);
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }

                    gateway = eui ?? id;
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

    private static void ReadDownlink(ref Utf8JsonReader reader, Envelope e)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        // The downlink events carry the downlink itself (for down/failed inside "downlink"), with the
        // correlation ids it was pushed with; ours name the command.
        int depth = reader.CurrentDepth;
        while (reader.Read() && reader.CurrentDepth > depth)
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueSpan.SequenceEqual("correlation_ids"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.String)
                {
                    string? id = reader.GetString();
                    if (id is not null && id.StartsWith(CorrelationPrefix, StringComparison.Ordinal))
                    {
                        e.DownlinkId = id[CorrelationPrefix.Length..];
                    }
                }
            }
            else if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueSpan.SequenceEqual("error"u8))
            {
                reader.Read();
                e.LogDescription = reader.TokenType == JsonTokenType.StartObject ? JsonElement.ParseValue(ref reader).GetRawText() : null;
            }
        }
    }
}
