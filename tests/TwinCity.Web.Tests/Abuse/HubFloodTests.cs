using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using TwinCity.Testing;

namespace TwinCity.Web.Tests.Abuse;

/// <summary>
/// A flood of connections to the live map's hub (<c>/hubs/city</c>) without a key or with a wrong
/// one, against the real city behind Kestrel where keyless viewers are off: every attempt is refused
/// with a 401 problem and no stack trace, none becomes a connection, and a viewer with a reader's
/// key still connects and is pushed changes afterwards.
/// </summary>
public sealed class HubFloodTests(LockedHubCity fixture) : IClassFixture<LockedHubCity>
{
    private const int Attempts = 200;

    [Fact]
    public async Task Flood_without_a_valid_key_is_refused_every_time_and_a_viewer_with_a_key_still_gets_changes()
    {
        using var http = new HttpClient { BaseAddress = fixture.City.BaseUrl, Timeout = TimeSpan.FromMinutes(2) };
        var failures = new ConcurrentBag<string>();
        int refused = 0;

        // Half go through negotiate, as browsers do; half straight to the WebSocket upgrade, as a
        // client that skips negotiation does. Each half mixes no key, a wrong query key and a wrong header key.
        await Task.WhenAll(Enumerable.Range(0, Attempts).Select(i => Task.Run(async () =>
        {
            string? problem = i % 2 == 0 ? await NegotiateAsync(http, i) : await UpgradeAsync(i);
            if (problem is null)
            {
                Interlocked.Increment(ref refused);
            }
            else
            {
                failures.Add(problem);
            }
        })));

        Assert.True(failures.IsEmpty, $"{failures.Count} of {Attempts} attempts were not refused as they should be:\n{string.Join('\n', failures.Take(10))}");
        Assert.Equal(Attempts, refused);
        Assert.Equal(0, await ViewersConnectedAsync(http, expected: 0));

        // The city still serves the viewers it should.
        using var city = new HttpClient { BaseAddress = fixture.City.BaseUrl };
        city.DefaultRequestHeaders.Add(TestKeys.Header, TestKeys.City);
        string devEui = Random.Shared.NextInt64(0x1000_0000_0000_0000, long.MaxValue).ToString("X16", CultureInfo.InvariantCulture);
        string id = "SLH-" + Guid.NewGuid().ToString("N")[..8];
        HttpResponseMessage created = await city.PostAsJsonAsync("/api/v1/devices", new
        {
            devEui, kind = "streetlights", twinId = id, name = id, lat = 40.39, lon = 49.85, codec = "milesight-ws558", reportingIntervalSeconds = 600,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var changes = new ConcurrentQueue<JsonElement>();
        await using HubConnection viewer = new HubConnectionBuilder()
            .WithUrl(new Uri(fixture.City.BaseUrl, "hubs/city?access_token=" + TestKeys.Roads), o => o.Transports = HttpTransportType.WebSockets)
            .Build();
        viewer.On<JsonElement>("twinChanged", changes.Enqueue);
        await viewer.StartAsync();
        await viewer.InvokeAsync<JsonElement[]>("WatchArea", 49.84, 40.38, 49.86, 40.40);
        Assert.Equal(1, await ViewersConnectedAsync(http, expected: 1));

        HttpResponseMessage up = await city.PostIngestAsync("/api/v1/ingest/chirpstack?event=up",
            new StringContent(NetworkServerMessages.ChirpStackUp(devEui, 1, 85, decoded: new { on = true, dimLevel = 40 }), Encoding.UTF8, "application/json"));
        Assert.True(up.IsSuccessStatusCode, $"uplink: {(int)up.StatusCode} {await up.Content.ReadAsStringAsync()}");

        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (!changes.Any(c => c.GetProperty("id").GetString() == id))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the viewer with a key was not pushed the change of {id}; it saw {changes.Count} changes");
            await Task.Delay(50);
        }
    }

    /// <summary>Null when negotiate was refused as it should be, else what was wrong.</summary>
    private static async Task<string?> NegotiateAsync(HttpClient http, int i)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, (i % 6) switch
        {
            0 => "/hubs/city/negotiate?negotiateVersion=1",
            2 => "/hubs/city/negotiate?negotiateVersion=1&access_token=wrong-" + i.ToString(CultureInfo.InvariantCulture),
            _ => "/hubs/city/negotiate?negotiateVersion=1",
        });
        if (i % 6 == 4)
        {
            request.Headers.Add(TestKeys.Header, "dev-city-not");
        }

        using HttpResponseMessage response = await http.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return $"negotiate #{i}: {(int)response.StatusCode} {body}";
        }

        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"negotiate #{i}: 401 as {response.Content.Headers.ContentType?.MediaType ?? "no content type"}: {body}";
        }

        if (body.Contains("connectionId", StringComparison.OrdinalIgnoreCase) || body.Contains("connectionToken", StringComparison.OrdinalIgnoreCase))
        {
            return $"negotiate #{i}: 401 that still hands out a connection: {body}";
        }

        return LeaksInternals(body) ? $"negotiate #{i}: the problem shows internals: {body}" : null;
    }

    /// <summary>Null when the WebSocket upgrade was refused with a 401, else what was wrong.</summary>
    private async Task<string?> UpgradeAsync(int i)
    {
        var ws = new UriBuilder(new Uri(fixture.City.BaseUrl, "hubs/city")) { Scheme = "ws" };
        if (i % 6 == 3)
        {
            ws.Query = "access_token=wrong-" + i.ToString(CultureInfo.InvariantCulture);
        }

        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (i % 6 == 5)
        {
            socket.Options.SetRequestHeader(TestKeys.Header, "dev-roads-not");
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await socket.ConnectAsync(ws.Uri, timeout.Token);
            return $"upgrade #{i}: the WebSocket was accepted";
        }
        catch (WebSocketException)
        {
            return socket.HttpStatusCode == HttpStatusCode.Unauthorized ? null : $"upgrade #{i}: refused with {(int)socket.HttpStatusCode}, not 401";
        }
    }

    private static bool LeaksInternals(string body) =>
        body.Contains("   at ", StringComparison.Ordinal) || body.Contains("Exception", StringComparison.Ordinal);

    /// <summary>
    /// The live map connections this silo serves, from <c>/metrics</c>: the first reading that shows
    /// <paramref name="expected"/>, or the last one seen after 15 s. The exporter serves a scrape from
    /// its cache for a short while, so a reading taken just after another can be that one's; and a
    /// busy machine may answer a scrape slowly, so the deadline leaves room for several.
    /// </summary>
    private static async Task<long> ViewersConnectedAsync(HttpClient http, long expected)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(15);
        long? seen = null;
        while (true)
        {
            string metrics = await http.GetStringAsync("/metrics");
            string? line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("twincity_viewers_connected", StringComparison.Ordinal));
            if (line is not null)
            {
                seen = long.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
                if (seen == expected)
                {
                    return expected;
                }
            }

            if (DateTime.UtcNow >= deadline)
            {
                Assert.True(seen.HasValue, "/metrics has no twincity_viewers_connected");
                return seen.Value;
            }

            await Task.Delay(200);
        }
    }
}
