using TwinCity.Gateway.Ingest.Envelopes;

namespace TwinCity.Fuzz.Targets;

/// <summary>The Things Stack v3 uplinks and downlink events as ingest reads them, with their contents.</summary>
public sealed class TheThingsStackTarget : IFuzzTarget
{
    public string Name => "the-things-stack";

    public int MaxLength => 4096;

    public IReadOnlyList<byte[]> Corpus { get; } = JsonTokens.Of(
        """{"end_device_ids":{"device_id":"eui-0004a30b001c0530","application_ids":{"application_id":"baku-meters"},"dev_eui":"0004A30B001C0530","join_eui":"800000000000000C","dev_addr":"00BCB929"},"correlation_ids":["as:up:01EVDXKZ8DRZNBDT55Q5K2XC2Q"],"received_at":"2026-11-25T12:00:01.202271300Z","uplink_message":{"session_key_id":"AXbSXbSmL0nHdNhJ5MhW7Q==","f_port":100,"f_cnt":1234,"frm_payload":"DqA1XSApNQAA","decoded_payload":{"volumeM3":12.5},"rx_metadata":[{"gateway_ids":{"gateway_id":"baku-gw-1","eui":"b827ebfffe8e1c6a"},"time":"2026-11-25T12:00:00.994Z","timestamp":2463457000,"rssi":-35,"channel_rssi":-35,"snr":8.25},{"gateway_ids":{"gateway_id":"baku-gw-2"},"channel_rssi":-80,"snr":-2}],"settings":{"data_rate":{"lora":{"bandwidth":125000,"spreading_factor":7}},"coding_rate":"4/5","frequency":"868300000","timestamp":2463457000},"received_at":"2026-11-25T12:00:01.000Z","consumed_airtime":"0.056576s"}}""",
        """{"end_device_ids":{"device_id":"bus-1","dev_eui":"70B3D57ED0040001","application_ids":{"application_id":"buses"}},"uplink_message":{"f_port":2,"frm_payload":"AmJaAAL68IAQaA=="}}""",
        """{"end_device_ids":{"device_id":"lamp-1","dev_eui":"70B3D57ED0010001","application_ids":{"application_id":"lights"}},"join_accept":{"session_key_id":"AXb","received_at":"2026-11-25T12:00:00Z"}}""",
        """{"end_device_ids":{"device_id":"lamp-1","dev_eui":"70B3D57ED0010001","application_ids":{"application_id":"lights"}},"correlation_ids":["as:downlink:01H"],"downlink_ack":{"f_port":85,"frm_payload":"CP8A","correlation_ids":["twincity:cmd:abc"]}}""",
        """{"end_device_ids":{"device_id":"lamp-1","dev_eui":"70B3D57ED0010001","application_ids":{"application_id":"lights"}},"downlink_failed":{"downlink":{"f_port":85,"frm_payload":"CP8A","correlation_ids":["twincity:cmd:abc"]},"error":{"namespace":"pkg/networkserver","name":"application_downlink_too_long"}}}""");

    public IReadOnlyList<byte[]> Dictionary { get; } = JsonTokens.With(
        "\"end_device_ids\":", "\"device_id\":", "\"dev_eui\":", "\"application_ids\":", "\"uplink_message\":", "\"f_cnt\":", "\"f_port\":",
        "\"frm_payload\":", "\"decoded_payload\":", "\"rx_metadata\":", "\"rssi\":", "\"snr\":", "\"settings\":", "\"frequency\":", "\"\\\"868300000\\\"\"",
        "\"downlink_ack\":", "\"downlink_nack\":", "\"downlink_failed\":", "\"downlink_sent\":", "\"join_accept\":", "\"correlation_ids\":", "\"last_battery_percentage\":");

    public FuzzVerdict Check(ReadOnlySpan<byte> input) =>
        TheThingsStackParser.TryParse(input, out Envelope envelope, out string? error)
            ? EnvelopeContents.Check(envelope)
            : FuzzVerdict.Refuse(error);
}
