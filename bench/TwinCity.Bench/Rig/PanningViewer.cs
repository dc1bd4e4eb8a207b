using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using TwinCity.Bench.Load;

namespace TwinCity.Bench.Rig;

/// <summary>
/// One map viewer on <c>/hubs/city</c> that pans: each <see cref="PanAsync"/> moves its view to another
/// part of the city the way the map does (<c>UnwatchArea</c> of the old view, then <c>WatchArea</c> of the
/// new one). It keeps the <c>twinChanged</c> it should get for where it looks, and counts the others.
/// It does not reconnect: a connection that closes stays closed, so that every drop shows in the count.
/// </summary>
public sealed class PanningViewer : IAsyncDisposable
{
    private readonly HubConnection _connection;
    private readonly Random _random;
    private readonly double _size;
    private readonly Lock _gate = new();
    private List<SeenChange> _seen = [];
    private ViewBox? _current;
    private ViewBox? _next;
    private long _outside;
    private long _pans;
    private long _panFailures;
    private string? _firstPanFailure;
    private string? _closedBecause;
    private int _closed;
    private volatile bool _stopping;

    private PanningViewer(HubConnection connection, int index, double sizeDegrees)
    {
        _connection = connection;
        Index = index;
        _size = sizeDegrees;

        // Seeded by the viewer's number: a rerun pans over the same places.
        _random = new Random(index * 7919 + 17);
    }

    public int Index { get; }

    public bool Disconnected => Volatile.Read(ref _closed) == 1;

    public string? DisconnectReason => Volatile.Read(ref _closedBecause);

    public long Pans => Interlocked.Read(ref _pans);

    public long PanFailures => Interlocked.Read(ref _panFailures);

    public string? FirstPanFailure => Volatile.Read(ref _firstPanFailure);

    /// <summary>Changes received for twins outside the area the viewer watched at the time (not timed).</summary>
    public long Outside => Interlocked.Read(ref _outside);

    public static async Task<PanningViewer> ConnectAsync(Uri siloUrl, int index, double sizeDegrees, CancellationToken cancellationToken)
    {
        HubConnection connection = new HubConnectionBuilder()
            .WithUrl(new Uri(siloUrl, "hubs/city"), o => o.Headers["X-Api-Key"] = BenchSilo.CityKey)
            .Build();
        var viewer = new PanningViewer(connection, index, sizeDegrees);
        connection.On<JsonElement>("twinChanged", viewer.OnChanged);
        connection.Closed += error =>
        {
            if (!viewer._stopping)
            {
                Volatile.Write(ref viewer._closedBecause, error?.Message ?? "closed by the server");
                Volatile.Write(ref viewer._closed, 1);
            }

            return Task.CompletedTask;
        };
        await connection.StartAsync(cancellationToken);
        return viewer;
    }

    /// <summary>Moves the view to a random part of the city; a failed call is counted, not thrown.</summary>
    public async Task PanAsync(CancellationToken cancellationToken)
    {
        if (Disconnected)
        {
            return;
        }

        double minLon = CityDevices.MinLon + (_random.NextDouble() * (CityDevices.MaxLon - CityDevices.MinLon - _size));
        double minLat = CityDevices.MinLat + (_random.NextDouble() * (CityDevices.MaxLat - CityDevices.MinLat - _size));
        var next = new ViewBox(Math.Round(minLon, 5), Math.Round(minLat, 5), Math.Round(minLon + _size, 5), Math.Round(minLat + _size, 5));
        ViewBox? old;
        lock (_gate)
        {
            // While the view moves, changes for either area are ones the map would show.
            old = _current;
            _next = next;
        }

        try
        {
            if (old is ViewBox o)
            {
                await _connection.InvokeAsync("UnwatchArea", o.MinLon, o.MinLat, o.MaxLon, o.MaxLat, cancellationToken);
            }

            await _connection.InvokeAsync<JsonElement>("WatchArea", next.MinLon, next.MinLat, next.MaxLon, next.MaxLat, cancellationToken);
            lock (_gate)
            {
                _current = next;
                _next = null;
            }

            Interlocked.Increment(ref _pans);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref _panFailures);
            Interlocked.CompareExchange(ref _firstPanFailure, $"{ex.GetType().Name}: {ex.Message}", null);
            lock (_gate)
            {
                _current = null;
                _next = null;
            }
        }
    }

    /// <summary>The changes kept since the last call.</summary>
    public List<SeenChange> TakeSeen()
    {
        lock (_gate)
        {
            List<SeenChange> taken = _seen;
            _seen = new List<SeenChange>(Math.Max(16, taken.Count));
            return taken;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        try
        {
            await _connection.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            // Already closed.
        }

        await _connection.DisposeAsync();
    }

    private void OnChanged(JsonElement change)
    {
        long received = DateTime.UtcNow.Ticks;
        if (!change.TryGetProperty("id", out JsonElement idElement) || idElement.GetString() is not string id
            || !change.TryGetProperty("lat", out JsonElement lat) || !change.TryGetProperty("lon", out JsonElement lon)
            || !change.TryGetProperty("values", out JsonElement values) || !values.TryGetProperty("energyWh", out JsonElement energy))
        {
            return;
        }

        int dash = id.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0 || !int.TryParse(id.AsSpan(dash + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out int device))
        {
            return;
        }

        double latitude = lat.GetDouble();
        double longitude = lon.GetDouble();
        lock (_gate)
        {
            if ((_current is ViewBox c && c.Contains(latitude, longitude)) || (_next is ViewBox n && n.Contains(latitude, longitude)))
            {
                _seen.Add(new SeenChange(device, energy.GetDouble(), received));
            }
            else
            {
                Interlocked.Increment(ref _outside);
            }
        }
    }
}
