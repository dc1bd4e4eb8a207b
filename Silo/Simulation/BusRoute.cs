using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Silo.Simulation;

/// <summary>A bus route of the seed city: its path and where along it the stops are.</summary>
internal sealed class BusRoute
{
    public BusRoute(string id, string name, RoutePath path, IReadOnlyList<(string Name, GeoPoint Position)> stops)
    {
        Id = id;
        Name = name;
        Path = path;
        StopsAlongM = [.. stops.Select(s => path.Locate(s.Position)).Order()];
    }

    public string Id { get; }

    public string Name { get; }

    public RoutePath Path { get; }

    /// <summary>Distances of the stops from the start of the path, ascending.</summary>
    public IReadOnlyList<double> StopsAlongM { get; }
}
