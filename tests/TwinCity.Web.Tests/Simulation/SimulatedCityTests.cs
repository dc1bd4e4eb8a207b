using System.Text.Json;
using TwinCity.Gateway.Ingest.Envelopes;
using TwinCity.Gateway.Ingest.Pipeline;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Silo.Simulation;

namespace TwinCity.Web.Tests.Simulation;

public sealed class SimulatedCityTests
{
    private const string Application = "baku-city";

    private static SimulatedCity NewCity(double timeScale = 1.0) =>
        SimulatedCity.Load(SeedFiles.Devices, SeedFiles.City, Application, seed: 1234, timeScale, new DateTime(2026, 5, 12, 6, 0, 0, DateTimeKind.Utc));

    [Fact]
    public void Every_seed_device_is_played()
    {
        SimulatedCity city = NewCity();

        Assert.Equal(SeedFiles.AllDevices.Count, city.Devices.Count);
        Assert.Empty(city.Unsupported);
        Assert.Equal(60, city.Buses.Count);
        Assert.All(city.Buses, b => Assert.NotNull(b.Route));
    }

    [Fact]
    public void Every_event_is_a_ChirpStack_event_ingest_reads_and_every_frame_decodes_to_its_kinds_properties()
    {
        // A day of the city clock in ~3 minutes of wall clock: lights switch, rush hours come and go.
        SimulatedCity city = NewCity(timeScale: 480);
        DateTime now = new(2026, 5, 12, 6, 0, 0, DateTimeKind.Utc);
        var batch = new List<OutgoingMessage>();
        var lastFCnt = new Dictionary<string, uint>();
        var seenKinds = new Dictionary<TwinKind, HashSet<TwinProperty>>();
        int ups = 0;
        int joins = 0;
        for (int tick = 0; tick < 1_800; tick++)
        {
            now = now.AddMilliseconds(100);
            city.Advance(now);
            batch.Clear();
            city.TakeTurns(20, now, batch);
            foreach (OutgoingMessage message in batch)
            {
                Assert.True(IngestTopics.TryParse(message.Topic, out NetworkServer server, out NetworkEvent networkEvent, out string? application), message.Topic);
                Assert.Equal(NetworkServer.ChirpStack, server);
                Assert.Equal(Application, application);
                Assert.True(ChirpStackParser.TryParse(message.Payload, networkEvent, out Envelope envelope, out string? error), error);
                Assert.Equal(message.Device.DevEui, envelope.DevEui.ToString("X16", System.Globalization.CultureInfo.InvariantCulture));
                Assert.False(string.IsNullOrEmpty(envelope.DeduplicationId));
                if (networkEvent == NetworkEvent.Join)
                {
                    Assert.False(lastFCnt.ContainsKey(message.Device.DevEui), "a device joined after it had sent uplinks");
                    joins++;
                    continue;
                }

                Assert.Equal(NetworkEvent.Up, networkEvent);
                ups++;
                Assert.True(lastFCnt.ContainsKey(message.Device.DevEui) || envelope.FCnt == 1, "the first frame counter is not 1");
                Assert.True(!lastFCnt.TryGetValue(message.Device.DevEui, out uint previous) || envelope.FCnt == previous + 1, "frame counters skip or repeat");
                lastFCnt[message.Device.DevEui] = envelope.FCnt;
                Assert.NotNull(envelope.Radio?.Rssi);
                Assert.NotNull(envelope.Radio?.Gateway);

                Dictionary<TwinProperty, PropertyValue> values = FrameDecoding.Decode(message.Device.Seed.Codec, message.Device.Kind, envelope.Data!, envelope.FPort);
                if (!seenKinds.TryGetValue(message.Device.Kind, out HashSet<TwinProperty>? seen))
                {
                    seenKinds[message.Device.Kind] = seen = [];
                }

                seen.UnionWith(values.Keys);
            }
        }

        Assert.Equal(36_000, ups);
        Assert.Equal(lastFCnt.Count, joins);
        Assert.Superset(new HashSet<TwinProperty> { TwinProperty.Lat, TwinProperty.Lon, TwinProperty.BatteryPct }, seenKinds[TwinKind.Bus]);
        Assert.Superset(new HashSet<TwinProperty> { TwinProperty.On, TwinProperty.PowerW, TwinProperty.EnergyWh, TwinProperty.VoltageV }, seenKinds[TwinKind.Streetlight]);
        Assert.Superset(new HashSet<TwinProperty> { TwinProperty.VolumeM3, TwinProperty.Leak, TwinProperty.Burst }, seenKinds[TwinKind.WaterMeter]);
        Assert.Superset(new HashSet<TwinProperty> { TwinProperty.VehicleCount, TwinProperty.OccupancyPct, TwinProperty.ParkingOccupied, TwinProperty.Dark }, seenKinds[TwinKind.RoadSensor]);
    }

    [Fact]
    public void Turns_are_weighted_by_reporting_interval_so_buses_report_most()
    {
        SimulatedCity city = NewCity();
        var batch = new List<OutgoingMessage>();
        DateTime now = new(2026, 5, 12, 6, 0, 0, DateTimeKind.Utc);

        // Two full cycles of the slowest device (a water meter every 900 s).
        int turns = (int)Math.Round(2 * 900 * city.Devices.Sum(d => 1.0 / d.Seed.ReportingIntervalSeconds));
        city.TakeTurns(turns, now, batch);
        var perDevice = batch.Where(m => m.Kind == OutgoingKind.Up).GroupBy(m => m.Device).ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal(city.Devices.Count, perDevice.Count);
        Assert.All(city.Buses, b => Assert.InRange(perDevice[b], 55, 65));
        Assert.All(city.Devices.Where(d => d.Kind == TwinKind.WaterMeter), m => Assert.InRange(perDevice[m], 1, 3));
    }

    [Fact]
    public void Switch_downlink_is_confirmed_by_the_gateway_and_the_lamp_reports_next()
    {
        SimulatedCity city = NewCity();
        DateTime night = new(2026, 1, 10, 19, 0, 0, DateTimeKind.Utc);
        SimulatedDevice lamp = city.Devices.First(d => d.Kind == TwinKind.Streetlight);
        var batch = new List<OutgoingMessage>();

        Assert.True(city.Deliver(lamp.DevEui.ToLowerInvariant(), 85, [0x08, 0xFF, 0x00], "5a3e0c1b-2f8c-4c71-9b55-3b2fd2ab6f11", confirmed: true, night, batch));
        Assert.False(city.Deliver("FFFFFFFFFFFFFFFF", 85, [0x08, 0xFF, 0x00], null, confirmed: false, night, batch));
        city.TakeTurns(1, night, batch);

        Assert.Equal([OutgoingKind.TxAck, OutgoingKind.Join, OutgoingKind.Up, OutgoingKind.Ack], batch.Select(m => m.Kind));
        Assert.All(batch, m => Assert.Same(lamp, m.Device));
        Assert.EndsWith("/event/txack", batch[0].Topic, StringComparison.Ordinal);
        Assert.True(ChirpStackParser.TryParse(batch[3].Payload, NetworkEvent.Ack, out Envelope ack, out _));
        Assert.True(ack.Acknowledged);
        Assert.Equal("5a3e0c1b-2f8c-4c71-9b55-3b2fd2ab6f11", ack.DownlinkId);
        Assert.True(ChirpStackParser.TryParse(batch[2].Payload, NetworkEvent.Up, out Envelope up, out _));
        Assert.False(FrameDecoding.Decode("milesight-ws558", TwinKind.Streetlight, up.Data!, up.FPort)[TwinProperty.On].AsBool);
    }

    [Fact]
    public void Uplink_json_has_ChirpStack_field_names()
    {
        SimulatedCity city = NewCity();
        var batch = new List<OutgoingMessage>();
        city.TakeTurns(1, new DateTime(2026, 5, 12, 6, 0, 0, DateTimeKind.Utc), batch);

        using JsonDocument doc = JsonDocument.Parse(batch.Single(m => m.Kind == OutgoingKind.Up).Payload);
        JsonElement root = doc.RootElement;
        foreach (string field in new[] { "deduplicationId", "time", "deviceInfo", "devAddr", "fCnt", "fPort", "data", "rxInfo", "txInfo" })
        {
            Assert.True(root.TryGetProperty(field, out _), $"no '{field}'");
        }

        JsonElement info = root.GetProperty("deviceInfo");
        Assert.Equal(Application, info.GetProperty("applicationId").GetString());
        Assert.Matches("^[0-9a-f]{16}$", info.GetProperty("devEui").GetString()!);
        Assert.Matches("^[0-9a-f]{16}$", root.GetProperty("rxInfo")[0].GetProperty("gatewayId").GetString()!);
        Assert.EndsWith("Z", root.GetProperty("time").GetString(), StringComparison.Ordinal);
    }
}
