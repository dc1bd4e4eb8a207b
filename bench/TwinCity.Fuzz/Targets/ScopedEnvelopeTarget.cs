using System.Globalization;
using System.Text;
using TwinCity.Gateway.Ingest.Envelopes;
using TwinCity.Gateway.Ingest.Pipeline;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Fuzz.Targets;

/// <summary>
/// Events from a sender limited to some applications, as ingest admits them (<see cref="EnvelopeChecks"/>)
/// before it looks a device up. The first byte picks the network server, the channel (an MQTT topic
/// naming an application, or HTTP) and the sender's applications. An admitted event whose application
/// the sender may not speak for, whose ids could name another topic, whose topic and body disagree or
/// whose time lies outside the skew is a crash.
/// </summary>
public sealed class ScopedEnvelopeTarget : IFuzzTarget
{
    private static readonly DateTime Now = new(2026, 11, 25, 18, 5, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Age = TimeSpan.FromDays(7);
    private static readonly string?[] Topics = [null, "baku", "city-lights@baku", "other"];
    private static readonly string[]?[] Scopes = [["baku"], ["city-lights"], ["*"], null, ["city-lights@tenant2", "baku"]];

    public string Name => "scoped-envelope";

    public int MaxLength => 4096;

    public IReadOnlyList<byte[]> Corpus { get; } =
    [
        Input(0, """{"deduplicationId":"c9dd1a8c","time":"2026-11-25T18:02:10Z","deviceInfo":{"applicationId":"baku","deviceName":"lamp 1","devEui":"70B3D57ED0040001"},"fCnt":77,"fPort":2,"data":"AmJaAAL68IAQaA=="}"""),
        Input(5, """{"deduplicationId":"c9dd1a8c","time":"2026-11-25T19:02:10Z","deviceInfo":{"applicationId":"other","devEui":"70B3D57ED0040001"},"fCnt":4294967295,"fPort":2}"""),
        Input(1, """{"end_device_ids":{"device_id":"bus-7","application_ids":{"application_id":"city-lights"},"dev_eui":"70B3D57ED0040001"},"received_at":"2026-11-25T18:04:59Z","uplink_message":{"f_port":2,"f_cnt":3,"frm_payload":"AmJa","decoded_payload":{"dimLevel":40}}}"""),
        Input(3, """{"end_device_ids":{"device_id":"a/b","application_ids":{"application_id":"city+lights"},"dev_eui":"70B3D57ED0040001"},"received_at":"2026-11-18T18:00:00Z","uplink_message":{"f_port":2}}"""),
    ];

    public IReadOnlyList<byte[]> Dictionary { get; } = JsonTokens.With(
        "\"applicationId\":", "\"application_id\":", "\"application_ids\":", "\"device_id\":", "\"deviceName\":", "\"time\":", "\"received_at\":",
        "\"baku\"", "\"city-lights\"", "\"city-lights@baku\"", "\"other\"", "\"*\"", "\"+\"", "\"#\"", "\"a/b\"", "\"@\"", "\"a@b@c\"", "\".\"",
        "\"2026-11-25T18:10:01Z\"", "\"2026-11-18T18:04:59Z\"", "\"9999-12-31T23:59:59Z\"", "\"0001-01-01T00:00:00Z\"");

    public FuzzVerdict Check(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return FuzzVerdict.Refuse("empty input");
        }

        int pick = input[0];
        NetworkServer server = (pick & 1) == 0 ? NetworkServer.ChirpStack : NetworkServer.TheThingsStack;
        string? topic = Topics[(pick >> 1) % Topics.Length];
        string[]? scope = Scopes[(pick >> 3) % Scopes.Length];
        Envelope envelope;
        string? error;
        bool parsed = server == NetworkServer.ChirpStack
            ? ChirpStackParser.TryParse(input[1..], NetworkEvent.Up, out envelope, out error)
            : TheThingsStackParser.TryParse(input[1..], out envelope, out error);
        if (!parsed)
        {
            return FuzzVerdict.Refuse(error);
        }

        string? bodyApplication = envelope.ApplicationId;
        var message = new IngestMessage(input.ToArray(), server, NetworkEvent.Up, topic is null ? "http" : "mqtt", topic is null ? null : "t", topic, scope);
        if (!EnvelopeChecks.TryAdmit(envelope, message, Now, Skew, Age, out string? reason, out string? detail))
        {
            if (reason is null || string.IsNullOrEmpty(detail))
            {
                throw new InvalidDataException("a refusal without a reason");
            }

            return FuzzVerdict.Refuse($"{reason}: {detail}");
        }

        string? application = envelope.ApplicationId;
        if (scope is not null && !NetworkApplications.Allows(scope, application))
        {
            throw new InvalidDataException($"admitted application '{application}' for a sender of {string.Join(", ", scope)}");
        }

        if (NetworkIds.Problem("application id", application) is not null || (server == NetworkServer.TheThingsStack && NetworkIds.Problem("device id", envelope.DeviceId) is not null))
        {
            throw new InvalidDataException($"admitted ids '{application}' / '{envelope.DeviceId}' that could name another topic");
        }

        if (topic is not null && bodyApplication is not null && !NetworkApplications.Same(topic, bodyApplication))
        {
            throw new InvalidDataException($"admitted an event of '{bodyApplication}' on the topic of '{topic}'");
        }

        if (envelope.Time != default && (envelope.Time > Now + Skew || envelope.Time < Now - Age))
        {
            throw new InvalidDataException($"admitted the time {envelope.Time.ToString("O", CultureInfo.InvariantCulture)}");
        }

        return FuzzVerdict.Accept;
    }

    private static byte[] Input(byte pick, string json) => [pick, .. Encoding.UTF8.GetBytes(json)];
}
