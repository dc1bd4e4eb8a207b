using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Silo.Simulation;

/// <summary>
/// The simulated LoRaWAN gateways over Baku and an urban path-loss model, so that RSSI and SNR vary
/// with distance, a fixed per-device obstruction, and fading from one frame to the next.
/// </summary>
internal static class RadioModel
{
    private static readonly (string Id, GeoPoint Position)[] Gateways =
    [
        ("0016C001F153A101", new GeoPoint(40.3700, 49.8400)),
        ("0016C001F153A102", new GeoPoint(40.3780, 49.8700)),
        ("0016C001F153A103", new GeoPoint(40.3950, 49.8350)),
        ("0016C001F153A104", new GeoPoint(40.4000, 49.8650)),
        ("0016C001F153A105", new GeoPoint(40.4100, 49.8000)),
        ("0016C001F153A106", new GeoPoint(40.4150, 49.8950)),
        ("0016C001F153A107", new GeoPoint(40.4350, 49.8500)),
        ("0016C001F153A108", new GeoPoint(40.3800, 49.9300)),
        ("0016C001F153A109", new GeoPoint(40.4400, 49.9200)),
        ("0016C001F153A10A", new GeoPoint(40.4300, 49.7700)),
    ];

    private static readonly long[] Channels = [868_100_000, 868_300_000, 868_500_000];

    public static RadioSample Sample(GeoPoint position, double obstructionDb, Random random)
    {
        string gateway = Gateways[0].Id;
        double nearest = double.MaxValue;
        foreach ((string id, GeoPoint at) in Gateways)
        {
            double d = position.DistanceTo(at);
            if (d < nearest)
            {
                nearest = d;
                gateway = id;
            }
        }

        // Log-distance path loss with an urban exponent of 2.5: about -80 dBm at 100 m, -105 dBm at 1 km.
        double rssi = -30.0 - (25.0 * Math.Log10(Math.Max(nearest, 30.0))) - obstructionDb + (random.Gaussian() * 2.0);
        rssi = Math.Clamp(rssi, -125.0, -45.0);
        double snr = Math.Clamp(((rssi + 112.0) / 2.5) + (random.Gaussian() * 1.5), -18.0, 12.0);

        // Adaptive data rate: the network server moves strong devices to fast spreading factors.
        int sf = rssi switch
        {
            > -100 => 7,
            > -106 => 8,
            > -110 => 9,
            > -114 => 10,
            > -118 => 11,
            _ => 12,
        };
        return new RadioSample(gateway, (int)Math.Round(rssi), Math.Round(snr, 1), sf, Channels[random.Next(Channels.Length)]);
    }
}
