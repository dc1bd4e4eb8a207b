using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace TwinCity.Cluster.Tests.Silos;

/// <summary>A map viewer (the .NET SignalR client) connected to one silo process, recording the twin changes it is sent.</summary>
internal sealed class SiloViewer : IAsyncDisposable
{
    private SiloViewer(HubConnection connection) => Connection = connection;

    public HubConnection Connection { get; }

    public ConcurrentQueue<JsonElement> Changes { get; } = new();

    public static async Task<SiloViewer> ConnectAsync(Uri silo)
    {
        HubConnection connection = new HubConnectionBuilder()
            .WithUrl(new Uri(silo, "hubs/city"), o => o.Headers.Add("X-Api-Key", SiloCluster.CityKey))
            .Build();
        var viewer = new SiloViewer(connection);
        connection.On<JsonElement>("twinChanged", e => viewer.Changes.Enqueue(e));
        await connection.StartAsync();
        return viewer;
    }

    public Task<JsonElement[]> WatchAreaAsync(double minLon, double minLat, double maxLon, double maxLat) =>
        Connection.InvokeAsync<JsonElement[]>("WatchArea", minLon, minLat, maxLon, maxLat);

    /// <summary>The highest dim level pushed so far of each twin, by twin id (the tests publish the round number as the dim level).</summary>
    public Dictionary<string, int> HighestDimLevels() => Changes
        .Where(c => c.TryGetProperty("id", out _))
        .GroupBy(c => c.GetProperty("id").GetString()!, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Max(DimLevelOf), StringComparer.Ordinal);

    private static int DimLevelOf(JsonElement change) =>
        change.TryGetProperty("values", out JsonElement v) && v.TryGetProperty("dimLevel", out JsonElement d) ? d.GetInt32() : -1;

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
