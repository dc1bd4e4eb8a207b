namespace TwinCity.Silo.Seeding;

/// <summary>Configuration section "Seed": the devices the embedded city provisions at start.</summary>
public sealed class SeedOptions
{
    public const string Section = "Seed";

    /// <summary>Provision the seed devices at start (default in the embedded city).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>NDJSON file of devices, in the format of <c>POST /api/v1/devices/import</c>; relative to the app's folder.</summary>
    public string Devices { get; set; } = "Seed/baku-devices.ndjson";

    /// <summary>The city's streets and bus routes; relative to the app's folder.</summary>
    public string City { get; set; } = "Seed/baku-city.json";

    /// <summary>The city's default rules (JSON array of rules as <c>PUT /api/v1/rules/{id}</c> takes them, each with its id); relative to the app's folder.</summary>
    public string Rules { get; set; } = "Seed/baku-rules.json";
}
