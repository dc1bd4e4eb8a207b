using System.Globalization;
using System.Text.Json;

namespace TwinCity.Testing;

/// <summary>Builds network-server messages the way ChirpStack v4 and The Things Stack v3 write them.</summary>
public static class NetworkServerMessages
{
    public static string ChirpStackUpTopic(string devEui, string applicationId = "city") =>
        $"application/{applicationId}/device/{devEui.ToLowerInvariant()}/event/up";

    public static string ChirpStackTopic(string devEui, string eventName, string applicationId = "city") =>
        $"application/{applicationId}/device/{devEui.ToLowerInvariant()}/event/{eventName}";

    public static string TheThingsStackUpTopic(string deviceId, string applicationId = "city-lights@baku") =>
        $"v3/{applicationId}/devices/{deviceId}/up";

    /// <summary>A ChirpStack v4 "up" event. Like ChirpStack, it leaves out fCnt when it is 0.</summary>
    public static string ChirpStackUp(string devEui, uint fCnt, int fPort, byte[]? data = null, object? decoded = null, DateTime? time = null, string? deduplicationId = null, string applicationId = "city")
    {
        var up = new Dictionary<string, object?>
        {
            ["deduplicationId"] = deduplicationId ?? Guid.NewGuid().ToString(),
            ["time"] = (time ?? DateTime.UtcNow).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
            ["deviceInfo"] = new Dictionary<string, object?>
            {
                ["tenantId"] = "52f14cd4-c6f1-4fbd-8f87-4025e1d49242",
                ["tenantName"] = "Baku",
                ["applicationId"] = applicationId,
                ["applicationName"] = applicationId,
                ["deviceProfileName"] = "class A",
                ["deviceName"] = "device-" + devEui[^4..],
                ["devEui"] = devEui.ToLowerInvariant(),
                ["tags"] = new Dictionary<string, string>(),
            },
            ["devAddr"] = "01fa2b3c",
            ["adr"] = true,
            ["dr"] = 5,
            ["fPort"] = fPort,
            ["confirmed"] = false,
            ["rxInfo"] = new[]
            {
                new Dictionary<string, object?> { ["gatewayId"] = "0016c001f153a14c", ["uplinkId"] = 4217, ["rssi"] = -97, ["snr"] = 7.5 },
                new Dictionary<string, object?> { ["gatewayId"] = "0016c001f153a14d", ["uplinkId"] = 4218, ["rssi"] = -112, ["snr"] = -3.25 },
            },
            ["txInfo"] = new Dictionary<string, object?> { ["frequency"] = 868100000, ["modulation"] = new { lora = new { bandwidth = 125000, spreadingFactor = 7, codeRate = "CR_4_5" } } },
        };
        if (fCnt != 0)
        {
            up["fCnt"] = fCnt;
        }

        if (data is not null)
        {
            up["data"] = Convert.ToBase64String(data);
        }

        if (decoded is not null)
        {
            up["object"] = decoded;
        }

        return JsonSerializer.Serialize(up);
    }

    /// <summary>A The Things Stack v3 uplink message (as MQTT and webhooks send it): 64-bit numbers as strings, defaults left out.</summary>
    public static string TheThingsStackUp(string deviceId, string devEui, uint fCnt, int fPort, byte[]? payload = null, object? decoded = null, string applicationId = "city-lights")
    {
        var uplink = new Dictionary<string, object?>
        {
            ["session_key_id"] = "AXA50...",
            ["f_port"] = fPort,
            ["rx_metadata"] = new[]
            {
                new Dictionary<string, object?>
                {
                    ["gateway_ids"] = new { gateway_id = "baku-gw-07", eui = "B827EBFFFE8E1C6A" },
                    ["time"] = DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture),
                    ["timestamp"] = 2463457000u,
                    ["rssi"] = -88,
                    ["channel_rssi"] = -88,
                    ["snr"] = 9.25,
                    ["uplink_token"] = "ChIKEAoOZXUtZ3ctMDAx",
                },
            },
            ["settings"] = new Dictionary<string, object?>
            {
                ["data_rate"] = new { lora = new { bandwidth = 125000, spreading_factor = 7, coding_rate = "4/5" } },
                ["frequency"] = "868300000",
                ["timestamp"] = 2463457000u,
            },
            ["received_at"] = DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture),
            ["consumed_airtime"] = "0.056576s",
        };
        if (fCnt != 0)
        {
            uplink["f_cnt"] = fCnt;
        }

        if (payload is not null)
        {
            uplink["frm_payload"] = Convert.ToBase64String(payload);
        }

        if (decoded is not null)
        {
            uplink["decoded_payload"] = decoded;
        }

        return JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["end_device_ids"] = new Dictionary<string, object?>
            {
                ["device_id"] = deviceId,
                ["application_ids"] = new { application_id = applicationId },
                ["dev_eui"] = devEui,
                ["join_eui"] = "0000000000000000",
                ["dev_addr"] = "260B1234",
            },
            ["correlation_ids"] = new[] { "as:up:01H0...", "rpc:/ttn.lorawan.v3.AppAs/SimulateUplink:..." },
            ["received_at"] = DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture),
            ["uplink_message"] = uplink,
        });
    }
}
