namespace TwinCity.Web.Apis;

/// <summary>Configuration section "Map": what the live map draws under the twins.</summary>
public sealed class MapOptions
{
    public const string Section = "Map";

    /// <summary>The city's description (centre, bounds, streets, bus routes), a JSON file relative to the app's folder.</summary>
    public string CityFile { get; set; } = "Seed/baku-city.json";

    /// <summary>
    /// A tile URL template for the base layer (e.g. an OpenStreetMap-style "https://tiles.example/{z}/{x}/{y}.png").
    /// Empty by default: the map then works with no internet access, drawing streets and routes itself.
    /// </summary>
    public string? BaseLayerUrl { get; set; }

    public string? BaseLayerAttribution { get; set; }
}
