// Generates the synthetic Baku the embedded city plays: streets, bus routes and devices.
// Run from the repository root:  dotnet run tools/generate-seed.cs
// The output is deterministic (fixed random seed), so regenerating gives the same files.
#:property TreatWarningsAsErrors=false
#:property PublishAot=false
using System.Globalization;
using System.Text;
using System.Text.Json;

var rng = new Random(20261125);
var inv = CultureInfo.InvariantCulture;

// Streets as waypoint polylines (lat, lon) laid over the city centre, the boulevard and the
// districts to the north and east; shapes are simplified but the names and directions are the
// city's own.
var streets = new (string Name, (double Lat, double Lon)[] Path)[]
{
    ("Neftchilar Avenue", [(40.3660, 49.8330), (40.3668, 49.8390), (40.3668, 49.8455), (40.3700, 49.8520), (40.3742, 49.8590), (40.3790, 49.8650), (40.3825, 49.8700)]),
    ("Nizami Street", [(40.3712, 49.8330), (40.3735, 49.8400), (40.3760, 49.8470), (40.3782, 49.8540), (40.3803, 49.8610)]),
    ("Istiglaliyyat Street", [(40.3668, 49.8320), (40.3690, 49.8370), (40.3712, 49.8420), (40.3735, 49.8480)]),
    ("Azadliq Avenue", [(40.3790, 49.8480), (40.3860, 49.8470), (40.3930, 49.8460), (40.4000, 49.8450), (40.4080, 49.8440), (40.4160, 49.8430)]),
    ("Heydar Aliyev Avenue", [(40.3880, 49.8700), (40.3920, 49.8800), (40.3960, 49.8900), (40.4000, 49.9000), (40.4040, 49.9100), (40.4080, 49.9200), (40.4120, 49.9300)]),
    ("Tbilisi Avenue", [(40.3790, 49.8150), (40.3850, 49.8200), (40.3910, 49.8250), (40.3970, 49.8290), (40.4030, 49.8330)]),
    ("Zarifa Aliyeva Street", [(40.3760, 49.8470), (40.3785, 49.8550), (40.3810, 49.8630), (40.3835, 49.8710)]),
    ("Fuzuli Street", [(40.3750, 49.8560), (40.3790, 49.8600), (40.3830, 49.8640), (40.3870, 49.8680)]),
    ("Rashid Behbudov Street", [(40.3770, 49.8380), (40.3810, 49.8420), (40.3850, 49.8460), (40.3890, 49.8500)]),
    ("Samad Vurgun Street", [(40.3795, 49.8450), (40.3830, 49.8500), (40.3865, 49.8550), (40.3900, 49.8600)]),
    ("Khatai Avenue", [(40.3800, 49.8700), (40.3850, 49.8720), (40.3900, 49.8740), (40.3950, 49.8760), (40.4000, 49.8780)]),
    ("Babek Avenue", [(40.3950, 49.8650), (40.3990, 49.8750), (40.4030, 49.8850), (40.4070, 49.8950), (40.4110, 49.9050)]),
    ("Matbuat Avenue", [(40.3880, 49.8000), (40.3930, 49.8080), (40.3980, 49.8160), (40.4030, 49.8240)]),
    ("Hasan Bey Zardabi Avenue", [(40.3950, 49.7950), (40.4000, 49.8030), (40.4050, 49.8110), (40.4100, 49.8190)]),
    ("Ataturk Avenue", [(40.3990, 49.8560), (40.4040, 49.8620), (40.4090, 49.8680), (40.4140, 49.8740)]),
    ("Nobel Avenue", [(40.3700, 49.8700), (40.3740, 49.8800), (40.3780, 49.8900), (40.3820, 49.9000), (40.3860, 49.9100)]),
    ("Yusif Safarov Street", [(40.3830, 49.8750), (40.3880, 49.8800), (40.3930, 49.8850), (40.3980, 49.8900)]),
    ("Tabriz Street", [(40.3920, 49.8560), (40.3960, 49.8600), (40.4000, 49.8640), (40.4040, 49.8680)]),
    ("Javad Khan Street", [(40.4100, 49.8300), (40.4150, 49.8350), (40.4200, 49.8400), (40.4250, 49.8450)]),
    ("Ziya Bunyadov Avenue", [(40.4150, 49.8600), (40.4210, 49.8700), (40.4270, 49.8800), (40.4330, 49.8900), (40.4390, 49.9000)]),
    ("Mikayil Mushfig Street", [(40.4200, 49.8000), (40.4250, 49.8080), (40.4300, 49.8160), (40.4350, 49.8240)]),
    ("Sabunchu Road", [(40.4100, 49.8800), (40.4180, 49.8900), (40.4260, 49.9000), (40.4340, 49.9100), (40.4420, 49.9200)]),
    ("Moscow Avenue", [(40.3850, 49.8350), (40.3920, 49.8400), (40.3990, 49.8450), (40.4060, 49.8500), (40.4130, 49.8550)]),
    ("Salatin Asgarova Street", [(40.3820, 49.8560), (40.3850, 49.8620), (40.3880, 49.8680)]),
    ("Aga Neymatulla Street", [(40.4000, 49.9100), (40.4060, 49.9180), (40.4120, 49.9260), (40.4180, 49.9340), (40.4240, 49.9420)]),
};

// Bus routes follow chains of streets; each keeps its own stops.
var routes = new (string Id, string Name, string[] Streets)[]
{
    ("1", "Seaside Boulevard - Azadliq", ["Neftchilar Avenue", "Azadliq Avenue"]),
    ("5", "Nizami - Heydar Aliyev", ["Nizami Street", "Heydar Aliyev Avenue"]),
    ("13", "Tbilisi - Javad Khan", ["Tbilisi Avenue", "Javad Khan Street"]),
    ("18", "Matbuat - Moscow", ["Matbuat Avenue", "Moscow Avenue"]),
    ("24", "Khatai - Babek", ["Khatai Avenue", "Babek Avenue"]),
    ("37", "Zardabi - Mushfig", ["Hasan Bey Zardabi Avenue", "Mikayil Mushfig Street"]),
    ("49", "Nobel - Aga Neymatulla", ["Nobel Avenue", "Aga Neymatulla Street"]),
    ("65", "Ataturk - Ziya Bunyadov", ["Ataturk Avenue", "Ziya Bunyadov Avenue"]),
    ("88", "Istiglaliyyat - Sabunchu", ["Istiglaliyyat Street", "Fuzuli Street", "Sabunchu Road"]),
    ("125", "Behbudov - Tabriz", ["Rashid Behbudov Street", "Samad Vurgun Street", "Tabriz Street"]),
};

var byName = streets.ToDictionary(s => s.Name, s => s.Path);

static double Dist((double Lat, double Lon) a, (double Lat, double Lon) b)
{
    double dLat = (b.Lat - a.Lat) * 111_320;
    double dLon = (b.Lon - a.Lon) * 111_320 * Math.Cos(a.Lat * Math.PI / 180);
    return Math.Sqrt(dLat * dLat + dLon * dLon);
}

// Points every `spacing` metres along a polyline.
static List<(double Lat, double Lon)> Along((double Lat, double Lon)[] path, double spacing, double offset = 0)
{
    var points = new List<(double, double)>();
    double carry = offset;
    for (int i = 0; i + 1 < path.Length; i++)
    {
        var a = path[i];
        var b = path[i + 1];
        double len = Dist(a, b);
        double at = carry;
        while (at <= len)
        {
            double t = at / len;
            points.Add((a.Lat + (b.Lat - a.Lat) * t, a.Lon + (b.Lon - a.Lon) * t));
            at += spacing;
        }

        carry = at - len;
    }

    return points;
}

double totalLength = streets.Sum(s => Enumerable.Range(0, s.Path.Length - 1).Sum(i => Dist(s.Path[i], s.Path[i + 1])));

var devices = new StringBuilder();
int lineCount = 0;
void Device(string devEui, string kind, string twinId, string name, double lat, double lon, string codec, int interval, string? route = null, string? street = null)
{
    var o = new Dictionary<string, object?>
    {
        ["devEui"] = devEui,
        ["kind"] = kind,
        ["twinId"] = twinId,
        ["name"] = name,
        ["lat"] = Math.Round(lat, 6),
        ["lon"] = Math.Round(lon, 6),
        ["codec"] = codec,
        ["reportingIntervalSeconds"] = interval,
    };
    if (route is not null)
    {
        o["route"] = route;
    }

    devices.AppendLine(JsonSerializer.Serialize(o));
    lineCount++;
}

// 2,000 streetlights spread along every street at even spacing, alternating sides.
const int LightCount = 2000;
double lightSpacing = totalLength / LightCount;
int n = 0;
foreach (var s in streets)
{
    var pts = Along(s.Path, lightSpacing, lightSpacing / 2);
    int k = 0;
    foreach (var p in pts)
    {
        if (n >= LightCount) break;
        n++;
        double side = (k++ % 2 == 0 ? 1 : -1) * 0.00012;
        Device($"70B3D57ED001{n:X4}", "streetlights", $"SL-{n:D4}", $"{s.Name} lamp {k}", p.Lat + side, p.Lon - side, "milesight-ws558", 600);
    }
}

while (n < LightCount)
{
    // Spacing rounding leaves a few: put them on the boulevard.
    var p = Along(byName["Neftchilar Avenue"], 25, 5 + n % 40)[n % 40];
    n++;
    Device($"70B3D57ED001{n:X4}", "streetlights", $"SL-{n:D4}", $"Neftchilar Avenue lamp {n}", p.Lat, p.Lon + 0.0002, "milesight-ws558", 600);
}

// 1,000 water meters in the buildings beside the streets.
for (int i = 1; i <= 1000; i++)
{
    var s = streets[rng.Next(streets.Length)];
    int seg = rng.Next(s.Path.Length - 1);
    double t = rng.NextDouble();
    var a = s.Path[seg];
    var b = s.Path[seg + 1];
    double lat = a.Lat + (b.Lat - a.Lat) * t + (rng.NextDouble() - 0.5) * 0.0016;
    double lon = a.Lon + (b.Lon - a.Lon) * t + (rng.NextDouble() - 0.5) * 0.0016;
    Device($"70B3D57ED002{i:X4}", "water-meters", $"WM-{i:D4}", $"{s.Name} building {rng.Next(1, 200)}", lat, lon, "axioma-qalcosonic-w1", 900);
}

// 300 road sensors: traffic counters along the avenues and parking sensors in the centre.
for (int i = 1; i <= 300; i++)
{
    var s = streets[(i * 7) % streets.Length];
    var pts = Along(s.Path, 150, 40 + (i % 5) * 20);
    var p = pts[(i / streets.Length) % pts.Count];
    bool parking = i % 6 == 0;
    Device($"70B3D57ED003{i:X4}", "road-sensors", $"RS-{i:D4}",
        parking ? $"{s.Name} parking bay {i}" : $"{s.Name} counter {i}",
        p.Lat, p.Lon, parking ? "bosch-tps110" : "twincity-traffic-v1", parking ? 600 : 300);
}

// 60 buses, six on each route, starting spread along it.
var routeJson = new List<object>();
int bus = 0;
foreach (var r in routes)
{
    var path = r.Streets.SelectMany(x => byName[x]).ToArray();
    var stops = Along(path, 450, 100).Select((p, i) => new { name = $"Route {r.Id} stop {i + 1}", lat = Math.Round(p.Lat, 6), lon = Math.Round(p.Lon, 6) }).ToList();
    routeJson.Add(new
    {
        id = r.Id,
        name = r.Name,
        streets = r.Streets,
        path = path.Select(p => new[] { Math.Round(p.Lat, 6), Math.Round(p.Lon, 6) }).ToArray(),
        stops,
    });
    for (int j = 0; j < 6; j++)
    {
        bus++;
        var start = path[(j * path.Length / 6) % path.Length];
        Device($"70B3D57ED004{bus:X4}", "buses", $"BUS-{bus:D3}", $"Route {r.Id} bus {j + 1}", start.Lat, start.Lon, "dragino-lgt92", 30, r.Id);
    }
}

var city = new
{
    name = "Baku",
    center = new { lat = 40.4093, lon = 49.8671 },
    bounds = new { minLat = 40.37, minLon = 49.75, maxLat = 40.45, maxLon = 49.95 },
    streets = streets.Select(s => new { name = s.Name, path = s.Path.Select(p => new[] { p.Lat, p.Lon }).ToArray() }),
    routes = routeJson,
};

Directory.CreateDirectory("Silo/Seed");
File.WriteAllText("Silo/Seed/baku-devices.ndjson", devices.ToString());
File.WriteAllText("Silo/Seed/baku-city.json", JsonSerializer.Serialize(city, new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine($"{lineCount} devices, {streets.Length} streets, {routes.Length} routes, {totalLength / 1000:F1} km of street");
