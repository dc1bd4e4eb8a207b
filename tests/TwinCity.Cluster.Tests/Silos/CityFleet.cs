using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using TwinCity.Testing;

namespace TwinCity.Cluster.Tests.Silos;

/// <summary>
/// Streetlights provisioned through the API and their uplinks published as ChirpStack would, QoS 1,
/// or as The Things Stack would, which names each device by a device id of its own (the twin's id in
/// lower case here) rather than its DevEUI.
/// </summary>
internal sealed class CityFleet
{
    public const double Lat = 40.39;
    public const double Lon = 49.85;

    private readonly bool _theThingsStack;

    private CityFleet(IReadOnlyList<(string DevEui, string Id)> devices, bool theThingsStack)
    {
        Devices = devices;
        _theThingsStack = theThingsStack;
    }

    public IReadOnlyList<(string DevEui, string Id)> Devices { get; }

    public static async Task<CityFleet> ProvisionAsync(HttpClient http, int count, string prefix, int reportingIntervalSeconds = 600, bool theThingsStack = false)
    {
        var devices = new List<(string, string)>();
        for (int i = 0; i < count; i++)
        {
            string devEui = Random.Shared.NextInt64(0x1000_0000_0000_0000, long.MaxValue).ToString("X16", CultureInfo.InvariantCulture);
            string id = string.Create(CultureInfo.InvariantCulture, $"{prefix}-{i:D3}");
            HttpResponseMessage response = await http.PostAsJsonAsync("/api/v1/devices", new
            {
                devEui, kind = "streetlights", twinId = id, name = id,
                lat = Lat + (i * 0.0005), lon = Lon + (i * 0.0005), codec = "milesight-ws558", reportingIntervalSeconds,
            });
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"provisioning {id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            devices.Add((devEui, id));
        }

        return new CityFleet(devices, theThingsStack);
    }

    /// <summary>
    /// Publishes frame counters <paramref name="from"/>..<paramref name="to"/> for every device, one
    /// round at a time; each publish returns once the broker has acknowledged it. The dim level is
    /// the frame counter, so a viewer can tell which round a change came from.
    /// </summary>
    public async Task PublishRoundsAsync(TestPublisher publisher, int from, int to, TimeSpan pause, Func<int, Task>? afterRound = null)
    {
        for (int round = from; round <= to; round++)
        {
            foreach ((string devEui, string id) in Devices)
            {
                await PublishAsync(publisher, devEui, id, round);
            }

            if (afterRound is not null)
            {
                await afterRound(round);
            }

            await Task.Delay(pause);
        }
    }

    /// <summary>Publishes frame counter <paramref name="round"/> for every device at once, without waiting for one acknowledgement before the next publish.</summary>
    public Task PublishRoundAtOnceAsync(TestPublisher publisher, int round) =>
        Task.WhenAll(Devices.Select(device => PublishAsync(publisher, device.DevEui, device.Id, round)));

    private Task PublishAsync(TestPublisher publisher, string devEui, string id, int round)
    {
        var decoded = new { on = true, dimLevel = round };
        if (!_theThingsStack)
        {
            return publisher.PublishAsync(
                NetworkServerMessages.ChirpStackUpTopic(devEui),
                NetworkServerMessages.ChirpStackUp(devEui, (uint)round, 85, decoded: decoded));
        }

        string deviceId = id.ToLowerInvariant();
        return publisher.PublishAsync(
            NetworkServerMessages.TheThingsStackUpTopic(deviceId),
            NetworkServerMessages.TheThingsStackUp(deviceId, devEui, (uint)round, 85, decoded: decoded));
    }
}
