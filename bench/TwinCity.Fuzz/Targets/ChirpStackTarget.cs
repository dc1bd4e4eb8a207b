using System.Text;
using TwinCity.Gateway.Ingest.Envelopes;

namespace TwinCity.Fuzz.Targets;

/// <summary>
/// ChirpStack v4 events as ingest reads them: the envelope, then, for an uplink, what ingest does
/// with its contents (the decoded object for every kind, the raw payload through every codec).
/// The first byte of an input picks the event, so mutations move inputs between event kinds too.
/// </summary>
public sealed class ChirpStackTarget : IFuzzTarget
{
    private static readonly NetworkEvent[] Events = [NetworkEvent.Up, NetworkEvent.Join, NetworkEvent.Status, NetworkEvent.Ack, NetworkEvent.TxAck, NetworkEvent.Log];

    public string Name => "chirpstack";

    public int MaxLength => 4096;

    public IReadOnlyList<byte[]> Corpus { get; } =
    [
        Event(0, """{"deduplicationId":"3ac7e3c4-4401-4b8d-9386-a5c902f9202d","time":"2026-11-25T18:02:10.512345678Z","deviceInfo":{"tenantId":"52f14cd4","applicationId":"17c82e96","deviceName":"lamp","devEui":"0101010101010101","tags":{"key":"value"}},"devAddr":"00189440","adr":true,"dr":1,"fCnt":10,"fPort":85,"confirmed":true,"data":"A3SyCASAAQAAAA==","object":{"dimLevel":40,"on":true},"rxInfo":[{"gatewayId":"0016c001f153a14c","uplinkId":4217106255,"rssi":-36,"snr":10.5,"context":"E3OWOQ=="},{"gatewayId":"0016c001f153a14d","rssi":-70,"snr":2}],"txInfo":{"frequency":868100000,"modulation":{"lora":{"bandwidth":125000,"spreadingFactor":11,"codeRate":"CR_4_5"}}}}"""),
        Event(0, """{"deduplicationId":"c9dd1a8c","time":"2026-11-25T18:02:10Z","deviceInfo":{"applicationId":"baku","devEui":"70B3D57ED0040001"},"fCnt":77,"fPort":2,"data":"AmJaAAL68IAQaA=="}"""),
        Event(0, """{"deviceInfo":{"devEui":"70b3d57ed0010001"},"fPort":100,"data":"DqA1XSApNQAA","object":{"volumeM3":12.5,"flowM3h":"0.4","leak":1,"valve":"open"}}"""),
        Event(1, """{"deduplicationId":"0f1e","time":"2026-11-25T18:00:00Z","deviceInfo":{"devEui":"0101010101010101"},"devAddr":"00189440"}"""),
        Event(2, """{"deduplicationId":"1","time":"2026-11-25T18:00:00Z","deviceInfo":{"devEui":"0101010101010101"},"margin":10,"externalPowerSource":false,"batteryLevelUnavailable":false,"batteryLevel":75.5}"""),
        Event(3, """{"deduplicationId":"2","time":"2026-11-25T18:00:00Z","deviceInfo":{"devEui":"0101010101010101"},"queueItemId":"7a3e","acknowledged":true,"fCntDown":4}"""),
        Event(4, """{"downlinkId":42,"time":"2026-11-25T18:00:00Z","deviceInfo":{"devEui":"0101010101010101"},"queueItemId":"7a3e","fCntDown":4,"gatewayId":"0016c001f153a14c","txInfo":{"frequency":868100000}}"""),
        Event(5, """{"time":"2026-11-25T18:00:00Z","deviceInfo":{"devEui":"0101010101010101"},"level":"ERROR","code":"DOWNLINK_PAYLOAD_SIZE","description":"too big","context":{"queue_item_id":"7a3e"}}"""),
    ];

    public IReadOnlyList<byte[]> Dictionary { get; } = JsonTokens.With(
        "\"deduplicationId\":", "\"time\":", "\"deviceInfo\":", "\"devEui\":", "\"fCnt\":", "\"fPort\":", "\"data\":", "\"object\":",
        "\"rxInfo\":", "\"rssi\":", "\"snr\":", "\"gatewayId\":", "\"txInfo\":", "\"batteryLevel\":", "\"queueItemId\":", "\"acknowledged\":",
        "\"level\":", "\"code\":", "\"context\":", "\"dimLevel\":", "\"on\":", "\"lat\":", "\"lon\":", "\"volumeM3\":", "\"route\":");

    public FuzzVerdict Check(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return FuzzVerdict.Refuse("empty input");
        }

        NetworkEvent kind = Events[input[0] % Events.Length];
        if (!ChirpStackParser.TryParse(input[1..], kind, out Envelope envelope, out string? error))
        {
            return FuzzVerdict.Refuse(error);
        }

        return EnvelopeContents.Check(envelope);
    }

    private static byte[] Event(byte index, string json) => [index, .. Encoding.UTF8.GetBytes(json)];
}
