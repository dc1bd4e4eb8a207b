using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.Mvc.Testing;

namespace TwinCity.Web.Tests.Live;

/// <summary>A .NET SignalR client on a test city, recording what the hub pushes.</summary>
public sealed class HubViewer : IAsyncDisposable
{
    private HubViewer(HubConnection connection) => Connection = connection;

    public HubConnection Connection { get; }

    public ConcurrentQueue<JsonElement> Changes { get; } = new();

    public ConcurrentQueue<JsonElement> Documents { get; } = new();

    public ConcurrentQueue<JsonElement> RulesFired { get; } = new();

    public static async Task<HubViewer> ConnectAsync<T>(WebApplicationFactory<T> city, string? apiKey = "dev-city")
        where T : class
    {
        HubConnection connection = new HubConnectionBuilder()
            .WithUrl(new Uri(city.Server.BaseAddress, "hubs/city" + (apiKey is null ? string.Empty : "?access_token=" + apiKey)), o =>
            {
                o.HttpMessageHandlerFactory = _ => city.Server.CreateHandler();
                o.Transports = HttpTransportType.LongPolling;
            })
            .Build();
        var viewer = new HubViewer(connection);
        connection.On<JsonElement>("twinChanged", e => viewer.Changes.Enqueue(e));
        connection.On<JsonElement>("twinDocument", e => viewer.Documents.Enqueue(e));
        connection.On<JsonElement>("ruleFired", e => viewer.RulesFired.Enqueue(e));
        await connection.StartAsync();
        return viewer;
    }

    public Task<JsonElement[]> WatchAreaAsync(double minLon, double minLat, double maxLon, double maxLat) =>
        Connection.InvokeAsync<JsonElement[]>("WatchArea", minLon, minLat, maxLon, maxLat);

    public Task UnwatchAreaAsync(double minLon, double minLat, double maxLon, double maxLat) =>
        Connection.InvokeAsync("UnwatchArea", minLon, minLat, maxLon, maxLat);

    public IEnumerable<JsonElement> ChangesOf(string id) => Changes.Where(c => c.GetProperty("id").GetString() == id);

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
