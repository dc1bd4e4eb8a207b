using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TwinCity.Gateway.Ingest.Codecs;
using TwinCity.Gateway.Ingest.DeadLetters;
using TwinCity.Gateway.Ingest.Mqtt;
using TwinCity.Gateway.Ingest.Pipeline;
using TwinCity.Testing;
using static TwinCity.Web.Tests.Ingest.IngestTestKit;

namespace TwinCity.Web.Tests.Ingest;

/// <summary>Uplinks through a real mosquitto broker, published by a real MQTT client, read back through the API.</summary>
[Collection(MosquittoCityCollection.Name)]
public sealed class MosquittoIngestTests(MosquittoCity fixture)
{
    private readonly HttpClient _http = fixture.City.CreateClient();

    [Fact]
    public async Task ChirpStack_uplink_with_a_raw_payload_is_decoded_by_the_device_codec()
    {
        (string devEui, string id) = await ProvisionAsync(_http, "streetlights", "milesight-ws558", "SL");
        (byte[] payload, int fPort) = MilesightWs558Codec.Encode(229.5, 61.0, 0.93, 15_250, on: true);
        await using TestPublisher publisher = await TestPublisher.ConnectAsync(fixture.Broker.Port);

        await publisher.PublishAsync(NetworkServerMessages.ChirpStackUpTopic(devEui), NetworkServerMessages.ChirpStackUp(devEui, 12, fPort, payload));

        JsonElement twin = await WaitForTwinAsync(_http, "streetlights", id, t => HasReported(t, "powerW"));
        Assert.True(Reported(twin, "on").GetBoolean());
        Assert.Equal(61.0, Reported(twin, "powerW").GetDouble(), 1);
        Assert.Equal(229.5, Reported(twin, "voltageV").GetDouble(), 1);
        Assert.Equal(12, twin.GetProperty("radio").GetProperty("fCnt").GetInt32());
        Assert.Equal(-97, twin.GetProperty("radio").GetProperty("rssi").GetInt32());
        Assert.Equal("0016C001F153A14C", twin.GetProperty("radio").GetProperty("gateway").GetString());
    }

    [Fact]
    public async Task ChirpStack_decoded_object_applies_by_property_name_and_through_the_mapping()
    {
        (string devEui, string id) = await ProvisionAsync(_http, "water-meters", "axioma-qalcosonic-w1", "WM", mapping: new { totalVolume = "volumeM3" });
        await using TestPublisher publisher = await TestPublisher.ConnectAsync(fixture.Broker.Port);

        await publisher.PublishAsync(NetworkServerMessages.ChirpStackUpTopic(devEui), NetworkServerMessages.ChirpStackUp(
            devEui, 5, 100, decoded: new { totalVolume = 431.25, leak = true, valve = "open", temperature = 11.5 }));

        JsonElement twin = await WaitForTwinAsync(_http, "water-meters", id, t => HasReported(t, "volumeM3"));
        Assert.Equal(431.25, Reported(twin, "volumeM3").GetDouble());
        Assert.True(Reported(twin, "leak").GetBoolean());
        Assert.Equal("open", Reported(twin, "valve").GetString());
    }

    [Fact]
    public async Task The_Things_Stack_uplink_routes_by_DevEui_not_by_device_id()
    {
        (string devEui, string id) = await ProvisionAsync(_http, "road-sensors", "twincity-traffic-v1", "RS");
        byte[] frame = TwinCityTrafficV1Codec.Encode(new TrafficFrame(VehicleCount: 318, MeanSpeedKmh: 42.5, OccupancyPct: 23.5, Incident: true, BatteryPct: 88));
        await using TestPublisher publisher = await TestPublisher.ConnectAsync(fixture.Broker.Port);

        // fCnt 0 is left out, as The Things Stack does for default values.
        await publisher.PublishAsync(
            NetworkServerMessages.TheThingsStackUpTopic("traffic-counter-nizami-3"),
            NetworkServerMessages.TheThingsStackUp("traffic-counter-nizami-3", devEui, 0, 10, frame));

        JsonElement twin = await WaitForTwinAsync(_http, "road-sensors", id, t => HasReported(t, "vehicleCount"));
        Assert.Equal(318, Reported(twin, "vehicleCount").GetInt32());
        Assert.True(Reported(twin, "incident").GetBoolean());
        Assert.Equal(0, twin.GetProperty("radio").GetProperty("fCnt").GetInt32());
        Assert.Equal("B827EBFFFE8E1C6A", twin.GetProperty("radio").GetProperty("gateway").GetString());

        await publisher.PublishAsync(
            NetworkServerMessages.TheThingsStackUpTopic("traffic-counter-nizami-3"),
            NetworkServerMessages.TheThingsStackUp("traffic-counter-nizami-3", devEui, 1, 99, decoded: new { vehicleCount = 12, meanSpeedKmh = 55.0 }));
        twin = await WaitForTwinAsync(_http, "road-sensors", id, t => Reported(t, "vehicleCount").GetInt32() == 12);
        Assert.Equal(55.0, Reported(twin, "meanSpeedKmh").GetDouble());
    }

    [Fact]
    public async Task Consumer_dropped_mid_stream_without_acknowledging_applies_every_uplink_exactly_once_after_it_reconnects()
    {
        const int Devices = 20;
        const int PerDevice = 100;
        var provisioned = new List<(string DevEui, string Id)>();
        for (int i = 0; i < Devices; i++)
        {
            provisioned.Add(await ProvisionAsync(_http, "streetlights", "milesight-ws558", "SLK"));
        }

        var consumer = fixture.City.Services.GetRequiredService<MqttIngestConsumer>();
        var metrics = fixture.City.Services.GetRequiredService<IngestMetrics>();
        long appliedBefore = metrics.Applied;
        await using TestPublisher publisher = await TestPublisher.ConnectAsync(fixture.Broker.Port);
        Task publishing = Task.Run(async () =>
        {
            for (uint fCnt = 1; fCnt <= PerDevice; fCnt++)
            {
                foreach ((string devEui, _) in provisioned)
                {
                    await publisher.PublishAsync(NetworkServerMessages.ChirpStackUpTopic(devEui), NetworkServerMessages.ChirpStackUp(
                        devEui, fCnt, 85, decoded: new { on = true, dimLevel = (int)(fCnt % 100), energyWh = fCnt * 10.0 }));
                }
            }
        });

        // Drop the consumer twice while uplinks stream in, as a crash would.
        await WaitUntilAsync(() => metrics.Applied - appliedBefore >= Devices * PerDevice / 4);
        await consumer.AbandonConnectionAsync();
        await WaitUntilAsync(() => metrics.Applied - appliedBefore >= Devices * PerDevice / 2);
        await consumer.AbandonConnectionAsync();
        await publishing;

        long receivedBefore = consumer.Received;
        foreach ((_, string id) in provisioned)
        {
            JsonElement twin;
            try
            {
                twin = await WaitForTwinAsync(_http, "streetlights", id, t => t.GetProperty("radio").TryGetProperty("fCnt", out JsonElement f) && f.GetInt32() == PerDevice, seconds: 60);
            }
            catch (Xunit.Sdk.XunitException ex)
            {
                throw new Xunit.Sdk.XunitException(
                    $"{ex.Message}\nconsumer connected: {consumer.IsConnected}, messages received: {consumer.Received} ({consumer.Received - receivedBefore} while waiting), " +
                    $"applied: {metrics.Applied - appliedBefore}, duplicates: {metrics.Duplicates}");
            }

            // Version 1 came from provisioning; every applied uplink adds exactly one.
            Assert.Equal(1 + PerDevice, twin.GetProperty("version").GetInt64());
            Assert.Equal(PerDevice * 10.0, Reported(twin, "energyWh").GetDouble());
        }

        // Ingest counts an uplink as applied once the twin's call has returned, a moment after the twin
        // shows it: wait for the count to come up to the total before holding it to exactly that.
        await WaitUntilAsync(() => metrics.Applied - appliedBefore >= Devices * PerDevice);
        Assert.Equal(Devices * PerDevice, metrics.Applied - appliedBefore);
    }

    [Fact]
    public async Task Flood_of_malformed_and_unknown_device_messages_leaves_every_good_uplink_applied_and_every_bad_one_counted()
    {
        const int Good = 200;
        const int Bad = 10_000;
        (string devEui, string id) = await ProvisionAsync(_http, "road-sensors", "twincity-traffic-v1", "RSF");
        var store = fixture.City.Services.GetRequiredService<DeadLetterStore>();
        long malformedBefore = store.Counts.GetValueOrDefault(DeadLetterReasons.MalformedEnvelope);
        long unknownBefore = store.Counts.GetValueOrDefault(DeadLetterReasons.UnknownDevice);
        long undecodableBefore = store.Counts.GetValueOrDefault(DeadLetterReasons.UndecodablePayload);
        await using TestPublisher publisher = await TestPublisher.ConnectAsync(fixture.Broker.Port);

        int bad = 0;
        for (int good = 1; good <= Good; good++)
        {
            byte[] frame = TwinCityTrafficV1Codec.Encode(new TrafficFrame(VehicleCount: (ushort)good, MeanSpeedKmh: 40, OccupancyPct: 10));
            await publisher.PublishAsync(NetworkServerMessages.ChirpStackUpTopic(devEui), NetworkServerMessages.ChirpStackUp(devEui, (uint)good, 10, frame));
            for (int i = 0; i < Bad / Good; i++, bad++)
            {
                string stranger = NewDevEui();
                string message = (bad % 3) switch
                {
                    0 => "{\"deviceInfo\": {\"devEui\": \"" + stranger + "\"}, \"fCnt\": ",
                    1 => NetworkServerMessages.ChirpStackUp(stranger, 1, 10, [1, 2, 3]),
                    _ => NetworkServerMessages.ChirpStackUp(devEui, (uint)(100_000 + bad), 10, [0x07, 0xFF]),
                };
                await publisher.PublishAsync(NetworkServerMessages.ChirpStackUpTopic(bad % 3 == 2 ? devEui : stranger), message);
            }
        }

        JsonElement twin = await WaitForTwinAsync(_http, "road-sensors", id, t => t.GetProperty("radio").GetProperty("fCnt").GetInt32() == Good, seconds: 60);
        Assert.Equal(1 + Good, twin.GetProperty("version").GetInt64());
        Assert.Equal(Good, Reported(twin, "vehicleCount").GetInt32());
        await WaitUntilAsync(() =>
            store.Counts.GetValueOrDefault(DeadLetterReasons.MalformedEnvelope) - malformedBefore
            + store.Counts.GetValueOrDefault(DeadLetterReasons.UnknownDevice) - unknownBefore
            + store.Counts.GetValueOrDefault(DeadLetterReasons.UndecodablePayload) - undecodableBefore >= Bad);
        Assert.Equal(3334, store.Counts[DeadLetterReasons.MalformedEnvelope] - malformedBefore);
        Assert.Equal(3333, store.Counts[DeadLetterReasons.UnknownDevice] - unknownBefore);
        Assert.Equal(3333, store.Counts[DeadLetterReasons.UndecodablePayload] - undecodableBefore);

        JsonElement letters = await _http.GetFromJsonAsync<JsonElement>("/api/v1/ingest/dead-letters?reason=undecodable-payload&limit=1");
        JsonElement letter = letters.GetProperty("items")[0];
        Assert.Equal(devEui, letter.GetProperty("devEui").GetString());
        Assert.Contains("twincity-traffic-v1", letter.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
