using System.Text;
using TwinCity.Gateway.Ingest.Envelopes;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Ingest.Tests.Envelopes;

public sealed class ChirpStackParserTests
{
    // An "up" event as ChirpStack v4's MQTT integration writes it (protobuf JSON, camelCase).
    private const string Up = """
        {"deduplicationId":"3ac7e3c4-4401-4b8d-9386-a5c902f9202d","time":"2026-11-25T18:02:10.512345678Z",
         "deviceInfo":{"tenantId":"52f14cd4-c6f1-4fbd-8f87-4025e1d49242","tenantName":"ChirpStack","applicationId":"17c82e96-be03-4f38-aef3-f83d48582d97",
           "applicationName":"Test application","deviceProfileId":"14855bf7-d10d-4aee-b618-ebfcb64dc7ad","deviceProfileName":"Test device-profile",
           "deviceName":"Test device","devEui":"0101010101010101","tags":{"key":"value"}},
         "devAddr":"00189440","adr":true,"dr":1,"fCnt":10,"fPort":1,"confirmed":true,"data":"qg==","object":{"temperature":22.5,"on":true},
         "rxInfo":[{"gatewayId":"0016c001f153a14c","uplinkId":4217106255,"rssi":-36,"snr":10.5,"context":"E3OWOQ==","metadata":{"region_name":"eu868"}},
                   {"gatewayId":"0016c001f153a14d","uplinkId":17,"rssi":-70,"snr":2}],
         "txInfo":{"frequency":868100000,"modulation":{"lora":{"bandwidth":125000,"spreadingFactor":11,"codeRate":"CR_4_5"}}}}
        """;

    [Fact]
    public void Up_event_gives_device_counter_port_data_object_and_the_strongest_gateway()
    {
        Assert.True(ChirpStackParser.TryParse(Encoding.UTF8.GetBytes(Up), NetworkEvent.Up, out Envelope e, out string? error), error);

        Assert.Equal(NetworkServer.ChirpStack, e.Server);
        Assert.Equal(0x0101010101010101UL, e.DevEui);
        Assert.Equal(10u, e.FCnt);
        Assert.Equal(1, e.FPort);
        Assert.Equal([0xAA], e.Data);
        Assert.Equal("3ac7e3c4-4401-4b8d-9386-a5c902f9202d", e.DeduplicationId);
        Assert.Equal("17c82e96-be03-4f38-aef3-f83d48582d97", e.ApplicationId);
        Assert.Equal(new DateTime(2026, 11, 25, 18, 2, 10, DateTimeKind.Utc).AddTicks(5123456), e.Time);
        Assert.Equal(-36, e.Rssi);
        Assert.Equal(10.5, e.Snr);
        Assert.Equal("0016C001F153A14C", e.Gateway);
        Assert.True(e.Decoded!.Value.GetProperty("on").GetBoolean());
    }

    [Fact]
    public void Left_out_fields_hold_their_defaults()
    {
        Assert.True(ChirpStackParser.TryParse("""{"deviceInfo":{"devEui":"0101010101010101"}}"""u8, NetworkEvent.Up, out Envelope e, out _));

        Assert.Equal(0u, e.FCnt);
        Assert.Equal(0, e.FPort);
        Assert.Null(e.Data);
        Assert.Null(e.Radio);
    }

    [Fact]
    public void Status_event_gives_battery_and_unavailable_battery_gives_none()
    {
        Assert.True(ChirpStackParser.TryParse("""{"deviceInfo":{"devEui":"0101010101010101"},"margin":10,"externalPowerSource":false,"batteryLevel":75.5}"""u8, NetworkEvent.Status, out Envelope e, out _));
        Assert.Equal(75.5, e.BatteryPct);

        Assert.True(ChirpStackParser.TryParse("""{"deviceInfo":{"devEui":"0101010101010101"},"batteryLevel":0,"batteryLevelUnavailable":true}"""u8, NetworkEvent.Status, out e, out _));
        Assert.Null(e.BatteryPct);
    }

    [Fact]
    public void Ack_txack_and_log_events_name_the_downlink()
    {
        Assert.True(ChirpStackParser.TryParse("""{"deviceInfo":{"devEui":"0101010101010101"},"queueItemId":"8d0d4c1c-8f5c-4e4b-9a54-5f1a3f7c0b11","acknowledged":true,"fCntDown":7}"""u8, NetworkEvent.Ack, out Envelope ack, out _));
        Assert.True(ack.Acknowledged);
        Assert.Equal("8d0d4c1c-8f5c-4e4b-9a54-5f1a3f7c0b11", ack.DownlinkId);

        Assert.True(ChirpStackParser.TryParse("""{"downlinkId":123,"deviceInfo":{"devEui":"0101010101010101"},"queueItemId":"q-1","fCntDown":8,"gatewayId":"0016c001f153a14c"}"""u8, NetworkEvent.TxAck, out Envelope tx, out _));
        Assert.Equal("q-1", tx.DownlinkId);

        Assert.True(ChirpStackParser.TryParse("""{"time":"2026-11-25T10:00:00Z","deviceInfo":{"devEui":"0101010101010101"},"level":"ERROR","code":"DOWNLINK_PAYLOAD_SIZE","description":"payload too big","context":{"queue_item_id":"q-2"}}"""u8, NetworkEvent.Log, out Envelope log, out _));
        Assert.Equal("ERROR", log.LogLevel);
        Assert.Equal("DOWNLINK_PAYLOAD_SIZE", log.LogCode);
        Assert.Equal("q-2", log.DownlinkId);
    }

    [Theory]
    [InlineData("not json at all", "not valid JSON")]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("""{"fCnt":1}""", "no deviceInfo.devEui")]
    [InlineData("""{"deviceInfo":{"devEui":"0101"}}""", "not 16 hex digits")]
    [InlineData("""{"deviceInfo":{"devEui":"0101010101010101"},"data":"***"}""", "'data' is not base64")]
    [InlineData("""{"deviceInfo":{"devEui":"0101010101010101"},"fCnt":-1}""", "'fCnt'")]
    [InlineData("""{"deviceInfo":{"devEui":"0101010101010101"},"fPort":300}""", "'fPort'")]
    [InlineData("""{"deviceInfo":{"devEui":"0101010101010101"},"time":"yesterday"}""", "'time'")]
    [InlineData("""{"deviceInfo":{"devEui":"0101010101010101"}""", "not valid JSON")]
    public void Malformed_event_is_refused_with_the_reason(string json, string expected)
    {
        Assert.False(ChirpStackParser.TryParse(Encoding.UTF8.GetBytes(json), NetworkEvent.Up, out _, out string? error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Numbers_written_as_strings_are_read()
    {
        Assert.True(ChirpStackParser.TryParse("""{"deviceInfo":{"devEui":"0101010101010101"},"fCnt":"4294967295","fPort":"2"}"""u8, NetworkEvent.Up, out Envelope e, out _));
        Assert.Equal(uint.MaxValue, e.FCnt);
        Assert.Equal(2, e.FPort);
    }
}
