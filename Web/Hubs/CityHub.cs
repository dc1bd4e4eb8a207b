using Microsoft.AspNetCore.SignalR;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Web.Live;

namespace TwinCity.Web.Hubs;

/// <summary>
/// The live city for map viewers (<c>/hubs/city</c>): watch an area and receive <c>twinChanged</c> for
/// every change in it, watch one twin and receive its whole document on each change.
/// </summary>
public sealed class CityHub(LiveViewers viewers) : Hub
{
    public const string Path = "/hubs/city";
    public const string TwinChangedEvent = "twinChanged";
    public const string TwinDocumentEvent = "twinDocument";
    public const string RuleFiredEvent = "ruleFired";

    /// <summary>Returns the twins in the area now; the connection then receives <c>twinChanged</c> for changes there.</summary>
    public async Task<List<TwinSummary>> WatchArea(double minLon, double minLat, double maxLon, double maxLat) =>
        await viewers.WatchAreaAsync(Context.ConnectionId, Box(minLon, minLat, maxLon, maxLat));

    public Task UnwatchArea(double minLon, double minLat, double maxLon, double maxLat) =>
        viewers.UnwatchAreaAsync(Context.ConnectionId, Box(minLon, minLat, maxLon, maxLat));

    /// <summary>Returns the twin document now; the connection then receives <c>twinDocument</c> on each change.</summary>
    public async Task<TwinDocument?> WatchTwin(string kind, string id) =>
        await viewers.WatchTwinAsync(Context.ConnectionId, Key(kind, id));

    public Task UnwatchTwin(string kind, string id) => viewers.UnwatchTwinAsync(Context.ConnectionId, Key(kind, id));

    public override Task OnDisconnectedAsync(Exception? exception) => viewers.DisconnectAsync(Context.ConnectionId);

    private static GeoBox Box(double minLon, double minLat, double maxLon, double maxLat)
    {
        var box = new GeoBox(minLon, minLat, maxLon, maxLat);
        return box.Problem() is string problem ? throw new HubException(problem) : box;
    }

    private static TwinKey Key(string kind, string id)
    {
        if (!TwinKinds.TryParse(kind, out TwinKind twinKind))
        {
            throw new HubException($"'{kind}' is not a kind of twin; the kinds are streetlights, water-meters, road-sensors and buses");
        }

        if (!TwinIds.IsValid(id))
        {
            throw new HubException($"'{id}' is not a valid twin id");
        }

        return new TwinKey(twinKind, id);
    }
}
