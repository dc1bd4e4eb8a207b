using System.Text;
using TwinCity.Gateway.Ingest.Envelopes;
using TwinCity.Gateway.Ingest.Pipeline;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Ingest.Tests.Envelopes;

public sealed class TheThingsStackParserTests
{
    // An uplink as The Things Stack v3 publishes it on v3/{app}@{tenant}/devices/{device}/up.
    private const string Up = """
        {"end_device_ids":{"device_id":"eui-0004a30b001c0530","application_ids":{"application_id":"baku-meters"},"dev_eui":"0004A30B001C0530","join_eui":"800000000000000C","dev_addr":"00BCB929"},
         "correlation_ids":["as:up:01EVDXKZ8DRZNBDT55Q5K2XC2Q","gs:conn:01EVDXFVBDHTZKGRT8VA0ZQZTH"],
         "received_at":"2026-11-25T12:00:01.202271300Z",
         "uplink_message":{"session_key_id":"AXbSXbSmL0nHdNhJ5MhW7Q==","f_port":1,"f_cnt":1234,"frm_payload":"AQID",
           "decoded_payload":{"volumeM3":12.5},
           "rx_metadata":[{"gateway_ids":{"gateway_id":"baku-gw-1","eui":"b827ebfffe8e1c6a"},"time":"2026-11-25T12:00:00.994Z","timestamp":2463457000,"rssi":-35,"channel_rssi":-35,"snr":8.25,"uplink_token":"ChIKEA=="},
                          {"gateway_ids":{"gateway_id":"baku-gw-2"},"channel_rssi":-80,"snr":-2}],
           "settings":{"data_rate":{"lora":{"bandwidth":125000,"spreading_factor":7}},"coding_rate":"4/5","frequency":"868300000","timestamp":2463457000},
           "received_at":"2026-11-25T12:00:00.996Z","consumed_airtime":"0.056576s"}}
        """;

    [Fact]
    public void Uplink_routes_by_dev_eui_and_reads_64_bit_numbers_written_as_strings()
    {
        Assert.True(TheThingsStackParser.TryParse(Encoding.UTF8.GetBytes(Up), out Envelope e, out string? error), error);

        Assert.Equal(NetworkEvent.Up, e.Event);
        Assert.Equal(0x0004A30B001C0530UL, e.DevEui);
        Assert.Equal("eui-0004a30b001c0530", e.DeviceId);
        Assert.Equal("baku-meters", e.ApplicationId);
        Assert.Equal(1234u, e.FCnt);
        Assert.Equal(1, e.FPort);
        Assert.Equal([1, 2, 3], e.Data);
        Assert.Equal(12.5, e.Decoded!.Value.GetProperty("volumeM3").GetDouble());
        Assert.Equal(-35, e.Rssi);
        Assert.Equal("B827EBFFFE8E1C6A", e.Gateway);
        Assert.Equal(new DateTime(2026, 11, 25, 12, 0, 0, 996, DateTimeKind.Utc), e.Time);
    }

    [Fact]
    public void Defaults_are_left_out_so_a_missing_f_cnt_is_zero()
    {
        Assert.True(TheThingsStackParser.TryParse("""{"end_device_ids":{"device_id":"d","dev_eui":"0004A30B001C0530"},"uplink_message":{"f_port":2}}"""u8, out Envelope e, out _));
        Assert.Equal(0u, e.FCnt);
    }

    [Theory]
    [InlineData("""{"end_device_ids":{"dev_eui":"0004A30B001C0530"},"join_accept":{"session_key_id":"x"}}""", NetworkEvent.Join)]
    [InlineData("""{"end_device_ids":{"dev_eui":"0004A30B001C0530"},"downlink_ack":{"f_port":85,"correlation_ids":["as:downlink:1","twincity:cmd:c-42"]}}""", NetworkEvent.Ack)]
    [InlineData("""{"end_device_ids":{"dev_eui":"0004A30B001C0530"},"downlink_nack":{"correlation_ids":["twincity:cmd:c-42"]}}""", NetworkEvent.Nack)]
    [InlineData("""{"end_device_ids":{"dev_eui":"0004A30B001C0530"},"downlink_sent":{"correlation_ids":["twincity:cmd:c-42"]}}""", NetworkEvent.TxAck)]
    [InlineData("""{"end_device_ids":{"dev_eui":"0004A30B001C0530"},"downlink_failed":{"downlink":{"correlation_ids":["twincity:cmd:c-42"]},"error":{"name":"no_device_session"}}}""", NetworkEvent.DownlinkFailed)]
    public void Downlink_and_join_events_are_recognised_by_their_field(string json, NetworkEvent expected)
    {
        Assert.True(TheThingsStackParser.TryParse(Encoding.UTF8.GetBytes(json), out Envelope e, out string? error), error);
        Assert.Equal(expected, e.Event);
        if (expected != NetworkEvent.Join)
        {
            Assert.Equal("c-42", e.DownlinkId);
        }
    }

    [Theory]
    [InlineData("""{"end_device_ids":{"device_id":"d"},"uplink_message":{}}""", "no end_device_ids.dev_eui")]
    [InlineData("""{"end_device_ids":{"dev_eui":"0004A30B001C0530"},"something_else":{}}""", "none of uplink_message")]
    [InlineData("""{"end_device_ids":{"dev_eui":"0004A30B001C0530"},"uplink_message":{"frm_payload":"%%%"}}""", "not base64")]
    public void Malformed_message_is_refused_with_the_reason(string json, string expected)
    {
        Assert.False(TheThingsStackParser.TryParse(Encoding.UTF8.GetBytes(json), out _, out string? error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/17c8/device/0101010101010101/event/up", NetworkServer.ChirpStack, true, "17c8")]
    [InlineData("application/17c8/device/0101010101010101/event/status", NetworkServer.ChirpStack, true, "17c8")]
    [InlineData("application/17c8/device/0101010101010101/event/bogus", NetworkServer.ChirpStack, false, "17c8")]
    [InlineData("v3/baku-meters@ttn/devices/meter-1/up", NetworkServer.TheThingsStack, true, "baku-meters@ttn")]
    [InlineData("v3/baku-meters@ttn/devices/meter-1/down/ack", NetworkServer.TheThingsStack, true, "baku-meters@ttn")]
    [InlineData("some/other/topic", NetworkServer.Unknown, false, null)]
    public void Topics_tell_the_network_server_and_the_application(string topic, NetworkServer server, bool known, string? application)
    {
        Assert.Equal(known, IngestTopics.TryParse(topic, out NetworkServer actual, out _, out string? app));
        Assert.Equal(server, actual);
        Assert.Equal(application, app);
    }
}
