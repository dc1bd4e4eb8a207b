using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using TwinCity.Testing;
using Xunit.Abstractions;

namespace TwinCity.Web.Tests.Auth;

/// <summary>
/// What one caller may cost the city, from outside its process: connections per key, areas and twins
/// per connection, hub calls a second, twins that do not exist, refused sign-ins per address, body
/// sizes per endpoint, demo keys from another machine, and paging the whole city.
/// </summary>
public sealed class CallerLimitsTests(LimitedCity fixture, ITestOutputHelper output) : IClassFixture<LimitedCity>
{
    [Fact]
    public async Task A_connection_past_the_callers_limit_is_refused_and_other_callers_still_connect()
    {
        var open = new List<HubConnection>();
        try
        {
            for (int i = 0; i < LimitedCity.ConnectionsPerCaller; i++)
            {
                HubConnection hub = Hub(TestKeys.Transport);
                await hub.StartAsync();
                open.Add(hub);
            }

            // Refused before a connection is made: the negotiation answers 429 and says why.
            await using HubConnection extra = Hub(TestKeys.Transport);
            string refusal = await RefusedAsync(extra);
            Assert.Contains("429", refusal, StringComparison.Ordinal);
            using HttpClient transport = Http(TestKeys.Transport);
            using HttpResponseMessage negotiate = await transport.PostAsync(new Uri("/hubs/city/negotiate?negotiateVersion=1", UriKind.Relative), null);
            Assert.Equal(HttpStatusCode.TooManyRequests, negotiate.StatusCode);
            Assert.Contains("connections open", await negotiate.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            await using HubConnection other = Hub(TestKeys.Azersu);
            await other.StartAsync();
            await other.InvokeAsync<JsonElement>("WatchArea", 49.84, 40.38, 49.86, 40.40);

            // A closed connection gives its place back.
            await open[0].DisposeAsync();
            open.RemoveAt(0);
            await UntilAsync(async () =>
            {
                await using HubConnection again = Hub(TestKeys.Transport);
                try
                {
                    await again.StartAsync();
                    await again.InvokeAsync<JsonElement>("WatchArea", 49.84, 40.38, 49.86, 40.40);
                    return true;
                }
                catch (Exception ex) when (ex is HubException or InvalidOperationException or OperationCanceledException or HttpRequestException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(10), "a place is free again");
        }
        finally
        {
            foreach (HubConnection hub in open)
            {
                await hub.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Areas_and_twins_past_the_limit_and_twins_that_do_not_exist_are_refused_without_waking_a_twin()
    {
        string[] twins = [.. await Task.WhenAll(Enumerable.Range(0, LimitedCity.TwinsPerConnection + 1).Select(_ => ProvisionAsync()))];
        await using HubConnection hub = Hub(TestKeys.Roads);
        await hub.StartAsync();

        for (int i = 0; i < LimitedCity.AreasPerConnection; i++)
        {
            await hub.InvokeAsync<JsonElement>("WatchArea", 49.80 + (i * 0.01), 40.38, 49.81 + (i * 0.01), 40.39);
        }

        HubException areas = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<JsonElement>("WatchArea", 49.70, 40.30, 49.71, 40.31));
        Assert.Contains($"already watches {LimitedCity.AreasPerConnection} areas", areas.Message, StringComparison.Ordinal);

        for (int i = 0; i < LimitedCity.TwinsPerConnection; i++)
        {
            await hub.InvokeAsync<JsonElement>("WatchTwin", "streetlights", twins[i]);
        }

        HubException tooMany = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<JsonElement>("WatchTwin", "streetlights", twins[^1]));
        Assert.Contains($"already watches {LimitedCity.TwinsPerConnection} twins", tooMany.Message, StringComparison.Ordinal);

        // Guesses at twins that do not exist wake none, through the hub or GET; the control, a read of
        // a guessed twin's command (asked of the twin itself), does wake one.
        using HttpClient http = Http(TestKeys.City);
        double before = await ActiveTwinsAsync(http);
        await using HubConnection guesser = Hub(TestKeys.Roads);
        await guesser.StartAsync();
        for (int i = 0; i < 5; i++)
        {
            HubException none = await Assert.ThrowsAsync<HubException>(() => guesser.InvokeAsync<JsonElement>("WatchTwin", "streetlights", $"GUESS-{Guid.NewGuid():N}"[..20]));
            Assert.Contains("there is no twin", none.Message, StringComparison.Ordinal);
        }

        for (int i = 0; i < 5; i++)
        {
            using HttpResponseMessage get = await http.GetAsync(new Uri($"/api/v1/twins/streetlights/GUESS-{Guid.NewGuid():N}"[..40], UriKind.Relative));
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        }

        double afterGuesses = await ActiveTwinsAsync(http);
        using HttpResponseMessage control = await http.GetAsync(new Uri($"/api/v1/twins/streetlights/CONTROL-{Guid.NewGuid():N}"[..40] + "/commands/c-1", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, control.StatusCode);
        double afterControl = await ActiveTwinsAsync(http);

        output.WriteLine($"active twins: {before} before, {afterGuesses} after 5 hub guesses and 5 GETs of guesses, {afterControl} after one read of a guessed twin's command");
        Assert.Equal(before, afterGuesses);
        Assert.True(afterControl > afterGuesses, "the control did not wake a twin: the metric cannot tell whether the guesses did");
    }

    [Fact]
    public async Task Refused_hub_calls_and_connections_are_not_logged_as_errors()
    {
        await using HubConnection hub = Hub(TestKeys.Roads);
        await hub.StartAsync();
        for (int i = 0; i < LimitedCity.AreasPerConnection; i++)
        {
            await hub.InvokeAsync<JsonElement>("WatchArea", 49.80 + (i * 0.01), 40.38, 49.81 + (i * 0.01), 40.39);
        }

        await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<JsonElement>("WatchArea", 49.70, 40.30, 49.71, 40.31));
        await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<JsonElement>("WatchTwin", "streetlights", $"NONE-{Guid.NewGuid():N}"[..20]));
        int paced = 0;
        await Task.WhenAll(Enumerable.Range(0, LimitedCity.CallBurst * 3).Select(async _ =>
        {
            try
            {
                await hub.InvokeAsync("UnwatchArea", 49.70, 40.30, 49.71, 40.31);
            }
            catch (HubException)
            {
                Interlocked.Increment(ref paced);
            }
        }));
        Assert.True(paced > 0, "no call was paced: the test did not reach the limit it checks the log of");

        // Each refusal reached the caller; the city's log holds no error for any of them.
        await Task.Delay(500);
        string[] errors = [.. File.ReadLines(fixture.City.LogPath).Where(l => l.Contains(" fail: ", StringComparison.Ordinal) || l.Contains(" crit: ", StringComparison.Ordinal))];
        output.WriteLine($"{paced} calls paced; error lines in the city's log: {errors.Length}");
        Assert.DoesNotContain(errors, l => l.Contains("SignalR", StringComparison.Ordinal) || l.Contains("Hub", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_connection_calling_too_often_is_refused_and_the_city_stays_responsive()
    {
        await using HubConnection flooder = Hub(TestKeys.Azerishig);
        await flooder.StartAsync();
        const int calls = 200;
        int refused = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, calls).Select(async _ =>
        {
            try
            {
                await flooder.InvokeAsync("UnwatchArea", 49.84, 40.38, 49.86, 40.40);
            }
            catch (HubException ex) when (ex.Message.Contains("slow down", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref refused);
            }
        }));
        TimeSpan flood = clock.Elapsed;

        // Meanwhile and afterwards the city answers others at once, and the flooder itself, once it slows down.
        using HttpClient http = Http(TestKeys.City);
        clock.Restart();
        using HttpResponseMessage stats = await http.GetAsync(new Uri("/api/v1/twins/stats", UriKind.Relative));
        TimeSpan answer = clock.Elapsed;
        await using HubConnection other = Hub(TestKeys.Roads);
        await other.StartAsync();
        await other.InvokeAsync<JsonElement>("WatchArea", 49.84, 40.38, 49.86, 40.40);
        await Task.Delay(TimeSpan.FromSeconds(1));
        await flooder.InvokeAsync("UnwatchArea", 49.84, 40.38, 49.86, 40.40);

        output.WriteLine($"{refused} of {calls} calls refused in {flood.TotalMilliseconds:F0} ms; GET /twins/stats answered in {answer.TotalMilliseconds:F0} ms after the flood");
        Assert.InRange(refused, calls - LimitedCity.CallBurst - (int)Math.Ceiling(flood.TotalSeconds * LimitedCity.CallsPerSecond) - 1, calls - LimitedCity.CallBurst);
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        Assert.Equal(HubConnectionState.Connected, flooder.State);
    }

    [Fact]
    public async Task Refused_sign_ins_from_one_address_are_answered_429_with_Retry_After_until_the_window_ends()
    {
        using HttpClient wrong = Http("wrong-key-" + Guid.NewGuid().ToString("N")[..6]);
        using HttpClient right = Http(TestKeys.City);
        using HttpClient none = Http(null);
        for (int i = 0; i < LimitedCity.FailedSignIns; i++)
        {
            using HttpResponseMessage refused = await wrong.GetAsync(new Uri("/api/v1/twins/stats", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        var clock = Stopwatch.StartNew();
        using HttpResponseMessage limited = await wrong.GetAsync(new Uri("/api/v1/twins/stats", UriKind.Relative));
        using HttpResponseMessage evenRight = await right.GetAsync(new Uri("/api/v1/twins/stats", UriKind.Relative));
        using HttpResponseMessage health = await none.GetAsync(new Uri("/health/live", UriKind.Relative));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.True(limited.Headers.RetryAfter?.Delta is { } retry && retry > TimeSpan.Zero && retry <= LimitedCity.FailedSignInWindow, $"Retry-After: {limited.Headers.RetryAfter}");
        // While an address guesses, no key from it is even compared; callers without credentials are not held back.
        Assert.Equal(HttpStatusCode.TooManyRequests, evenRight.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        await UntilAsync(async () => (await right.GetAsync(new Uri("/api/v1/twins/stats", UriKind.Relative))).StatusCode == HttpStatusCode.OK, LimitedCity.FailedSignInWindow + TimeSpan.FromSeconds(5), "the window ends");
        output.WriteLine($"the address was held back for {clock.Elapsed.TotalMilliseconds:F0} ms after its {LimitedCity.FailedSignIns}th refused key");
    }

    [Fact]
    public async Task Demo_keys_and_keyless_viewers_are_refused_from_another_machine()
    {
        IPAddress? own = (await Dns.GetHostAddressesAsync(Dns.GetHostName()))
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        Assert.True(own is not null, "this machine has no non-loopback IPv4 address to call itself on");
        using var remote = new HttpClient { BaseAddress = new UriBuilder(fixture.City.BaseUrl) { Host = own.ToString() }.Uri };
        remote.DefaultRequestHeaders.Add(TestKeys.Header, TestKeys.City);
        using var keyless = new HttpClient { BaseAddress = remote.BaseAddress };

        using HttpResponseMessage fromAfar = await remote.GetAsync(new Uri("/api/v1/twins/stats", UriKind.Relative));
        using HttpResponseMessage viewerFromAfar = await keyless.PostAsync(new Uri("/hubs/city/negotiate?negotiateVersion=1", UriKind.Relative), null);
        using HttpResponseMessage fromHere = await Http(TestKeys.City).GetAsync(new Uri("/api/v1/twins/stats", UriKind.Relative));
        using HttpResponseMessage viewerFromHere = await Http(null).PostAsync(new Uri("/hubs/city/negotiate?negotiateVersion=1", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.Unauthorized, fromAfar.StatusCode);
        Assert.Contains("demo key", await fromAfar.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, viewerFromAfar.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fromHere.StatusCode);
        Assert.Equal(HttpStatusCode.OK, viewerFromHere.StatusCode);
        string log = await File.ReadAllTextAsync(fixture.City.LogPath);
        Assert.Contains("which other machines may reach", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bodies_past_their_endpoints_limit_are_413_problems_and_an_import_may_be_larger()
    {
        using HttpClient lamps = Http(TestKeys.Azerishig);
        using HttpClient city = Http(TestKeys.City);
        string command = "{\"name\":\"dim\",\"args\":{\"note\":\"" + new string('x', 20_000) + "\"}}";
        string rule = "{\"name\":\"" + new string('r', 70_000) + "\"}";
        var import = new StringBuilder();
        while (import.Length < 200_000)
        {
            import.Append("{\"devEui\":\"zz\"}\n");
        }

        using HttpResponseMessage bigCommand = await lamps.PostAsync(new Uri("/api/v1/twins/streetlights/SL-1/commands", UriKind.Relative), new StringContent(command, Encoding.UTF8, "application/json"));
        using HttpResponseMessage bigRule = await city.PutAsync(new Uri("/api/v1/rules/big", UriKind.Relative), new StringContent(rule, Encoding.UTF8, "application/json"));
        using HttpResponseMessage bigImport = await city.PostAsync(new Uri("/api/v1/devices/import", UriKind.Relative), new StringContent(import.ToString(), Encoding.UTF8, "application/x-ndjson"));

        foreach (HttpResponseMessage tooLarge in new[] { bigCommand, bigRule })
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
            Assert.Equal("application/problem+json", tooLarge.Content.Headers.ContentType?.MediaType);
        }

        Assert.NotEqual(HttpStatusCode.RequestEntityTooLarge, bigImport.StatusCode);
    }

    [Fact]
    public async Task The_whole_city_pages_in_key_order_with_every_twin_once()
    {
        string[] ids = [.. await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => ProvisionAsync()))];
        using HttpClient http = Http(TestKeys.City);
        var seen = new List<string>();
        string? cursor = null;
        int pages = 0;
        do
        {
            JsonElement page = await http.GetFromJsonAsync<JsonElement>(new Uri($"/api/v1/twins?kind=streetlights&limit=2{(cursor is null ? string.Empty : "&cursor=" + cursor)}", UriKind.Relative));
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetString()!));
            cursor = page.GetProperty("next").GetString();
            pages++;
        }
        while (cursor is not null && pages < 100);

        Assert.Equal(seen.Order(StringComparer.Ordinal), seen);
        Assert.Equal(seen.Count, seen.Distinct(StringComparer.Ordinal).Count());
        Assert.Subset(seen.ToHashSet(StringComparer.Ordinal), ids.ToHashSet(StringComparer.Ordinal));
    }

    private HubConnection Hub(string key) => new HubConnectionBuilder()
        .WithUrl(new Uri(fixture.City.BaseUrl, "hubs/city?access_token=" + key), o => o.Transports = HttpTransportType.WebSockets)
        .Build();

    private HttpClient Http(string? key)
    {
        var http = new HttpClient { BaseAddress = fixture.City.BaseUrl };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Add(TestKeys.Header, key);
        }

        return http;
    }

    /// <summary>The refusal of a connection: the server closes it after the handshake with the hub's reason.</summary>
    private static async Task<string> RefusedAsync(HubConnection hub)
    {
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.Closed += e => { closed.TrySetResult(e); return Task.CompletedTask; };
        try
        {
            await hub.StartAsync();
        }
        catch (Exception ex) when (ex is HubException or InvalidOperationException or IOException or HttpRequestException)
        {
            return ex.Message;
        }

        Exception? reason = await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return reason?.Message ?? "closed without a reason";
    }

    private async Task<string> ProvisionAsync()
    {
        using HttpClient city = Http(TestKeys.City);
        string devEui = Random.Shared.NextInt64(0x1000_0000_0000_0000, long.MaxValue).ToString("X16", CultureInfo.InvariantCulture);
        string id = "LIM-" + Guid.NewGuid().ToString("N")[..10];
        using HttpResponseMessage created = await city.PostAsJsonAsync(new Uri("/api/v1/devices", UriKind.Relative), new
        {
            devEui, kind = "streetlights", twinId = id, name = id, lat = 40.385, lon = 49.845, codec = "milesight-ws558", reportingIntervalSeconds = 600,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return id;
    }

    /// <summary>Twins active on the silo, from a scrape taken after the exporter's cache of the last one ran out.</summary>
    private static async Task<double> ActiveTwinsAsync(HttpClient http)
    {
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        string metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        return PrometheusText.Sum(metrics, "twincity_twins_active") ?? 0;
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(100);
        }
    }
}
