using System.Text;
using TwinCity.Gateway.Ingest.Codecs;
using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Web.Apis;
using TwinCity.Web.Devices;

namespace TwinCity.Fuzz.Targets;

/// <summary>
/// One line of a device import (<c>POST /api/v1/devices/import</c>, and <c>POST /devices</c> for
/// JSON): NDJSON objects, or CSV rows read by the standard header.
/// </summary>
public sealed class DeviceImportTarget : IFuzzTarget
{
    private readonly DeviceRequestParser _parser = new(CodecRegistry.Default, TimeProvider.System);
    private readonly string[]? _header;

    private DeviceImportTarget(string name, bool csv, IReadOnlyList<byte[]> corpus, IReadOnlyList<byte[]> dictionary)
    {
        Name = name;
        _header = csv ? DeviceRequestParser.CsvColumns : null;
        Corpus = corpus;
        Dictionary = dictionary;
    }

    public string Name { get; }

    public int MaxLength => 2048;

    public IReadOnlyList<byte[]> Corpus { get; }

    public IReadOnlyList<byte[]> Dictionary { get; }

    public static DeviceImportTarget Json() => new(
        "device-import-ndjson",
        csv: false,
        JsonTokens.Of(
            """{"devEui":"70-b3-d5-7e-d0-ff-00-01","kind":"streetlights","twinId":"SL-9001","name":"Nizami Street lamp 9","lat":40.3760,"lon":49.8470,"codec":"milesight-ws558","reportingIntervalSeconds":600}""",
            """{"devEui":"70B3D57ED0040001","kind":"buses","twinId":"BUS-001","name":"Route 1 bus 1","lat":40.37,"lon":49.83,"codec":"dragino-lgt92","reportingIntervalSeconds":30,"route":"1"}""",
            """{"devEui":"70b3d57ed0030001","kind":"water-meters","twinId":"WM-1","name":"meter","lat":"40.4","lon":"49.9","codec":"cayenne-lpp","reportingIntervalSeconds":"3600","mapping":{"analog_input_4":"volumeM3"}}"""),
        JsonTokens.With("\"devEui\":", "\"kind\":", "\"twinId\":", "\"name\":", "\"lat\":", "\"lon\":", "\"codec\":", "\"reportingIntervalSeconds\":", "\"route\":", "\"mapping\":",
            "\"streetlights\"", "\"water-meters\"", "\"road-sensors\"", "\"buses\"", "\"cayenne-lpp\"", "\"../../etc/passwd\"", "\"SL 1;DROP TABLE devices\""));

    public static DeviceImportTarget Csv() => new(
        "device-import-csv",
        csv: true,
        JsonTokens.Of(
            "70B3D57ED0FF0001,streetlights,SL-9001,Nizami Street lamp 9,40.3760,49.8470,milesight-ws558,600,",
            "70-b3-d5-7e-d0-04-00-01,buses,BUS-001,\"Route 1, bus 1\",40.37,49.83,dragino-lgt92,30,1",
            "70b3d57ed0030001,water-meters,WM-1,\"meter \"\"A\"\"\",40.4,49.9,axioma-qalcosonic-w1,3600,"),
        JsonTokens.Of(",", "\"", "\"\"", ",,,,,,,,", "streetlights", "buses", "1e309", "-0", "NaN", "99999999999999999999", "../", "%00", "\u00e9", "\r", "\n"));

    public FuzzVerdict Check(ReadOnlySpan<byte> input)
    {
        string line = Encoding.UTF8.GetString(input);
        return DevicesApi.TryParseLine(_parser, line, _header, out DeviceRegistration? registration, out string? error)
            ? (registration is null ? FuzzVerdict.Refuse(null) : FuzzVerdict.Accept)
            : FuzzVerdict.Refuse(error);
    }
}
