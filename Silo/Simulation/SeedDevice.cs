using System.Globalization;
using System.Text.Json;
using TwinCity.Grains.Interfaces.Twins;
using DevEuis = TwinCity.Grains.Interfaces.Devices.DevEui;

namespace TwinCity.Silo.Simulation;

/// <summary>One line of the seed devices file: what the simulator needs to play that device.</summary>
internal sealed record SeedDevice(
    string DevEui,
    TwinKind Kind,
    string TwinId,
    string Name,
    GeoPoint Position,
    string Codec,
    int ReportingIntervalSeconds,
    string? Route)
{
    /// <summary>Reads the NDJSON seed file; a line that does not describe a device is reported and skipped.</summary>
    public static IReadOnlyList<SeedDevice> ReadAll(string path, Action<int, string>? skipped = null)
    {
        var devices = new List<SeedDevice>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            if (TryParse(line, out SeedDevice? device, out string? error))
            {
                devices.Add(device);
            }
            else
            {
                skipped?.Invoke(lineNumber, error);
            }
        }

        return devices;
    }

    public static bool TryParse(
        string line,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SeedDevice? device,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        device = null;
        try
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            JsonElement root = doc.RootElement;
            if (!DevEuis.TryParse(Text(root, "devEui"), out ulong devEui))
            {
                error = "'devEui' is not 16 hex digits";
                return false;
            }

            if (!TwinKinds.TryParse(Text(root, "kind"), out TwinKind kind))
            {
                error = "'kind' is not a twin kind";
                return false;
            }

            string? twinId = Text(root, "twinId");
            string? codec = Text(root, "codec");
            if (string.IsNullOrEmpty(twinId) || string.IsNullOrEmpty(codec))
            {
                error = "'twinId' and 'codec' are required";
                return false;
            }

            if (!root.TryGetProperty("lat", out JsonElement lat) || !lat.TryGetDouble(out double latValue)
                || !root.TryGetProperty("lon", out JsonElement lon) || !lon.TryGetDouble(out double lonValue)
                || !new GeoPoint(latValue, lonValue).IsValid)
            {
                error = "'lat' and 'lon' must be a position";
                return false;
            }

            int interval = root.TryGetProperty("reportingIntervalSeconds", out JsonElement i) && i.TryGetInt32(out int seconds) && seconds > 0 ? seconds : 600;
            device = new SeedDevice(
                DevEuis.Format(devEui),
                kind,
                twinId,
                Text(root, "name") ?? twinId,
                new GeoPoint(latValue, lonValue),
                codec,
                interval,
                Text(root, "route"));
            error = null;
            return true;
        }
        catch (JsonException ex)
        {
            error = "not JSON: " + ex.Message;
            return false;
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Kind.ToUrlName()}/{TwinId} ({DevEui})");
}
