using System.Text;
using TwinCity.Grains.Interfaces.Cells;
using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Web.Apis;

namespace TwinCity.Fuzz.Targets;

/// <summary>
/// The parameters of the HTTP API that are parsed by hand: <c>bbox</c> (with the cells it spans),
/// a twin route's kind and id, and a DevEUI. The first byte picks which.
/// </summary>
public sealed class QueryTarget : IFuzzTarget
{
    public string Name => "query-parameters";

    public int MaxLength => 512;

    public IReadOnlyList<byte[]> Corpus { get; } =
    [
        [0, .. "49.83,40.36,49.85,40.38"u8],
        [0, .. "-180,-90,180,90"u8],
        [0, .. " 49.8 , 40.3 ,49.9,40.4 "u8],
        [1, .. "streetlights/SL-0042"u8],
        [1, .. "water-meters/WM_0001.a"u8],
        [2, .. "70-b3-d5-7e-d0-01-00-2a"u8],
        [2, .. "70B3D57ED001002A"u8],
    ];

    public IReadOnlyList<byte[]> Dictionary { get; } = JsonTokens.Of(
        ",", "/", "-", ":", ".", "1e309", "NaN", "-Infinity", "0x10", "1,2,3,4,5", "90.0000001", "-180", "180.5", "..", "%2F", "%00", "'; DROP TABLE twins;--",
        "streetlights", "buses", "road-sensors", new string('A', 70), "\u00e9", "\u200b");

    public FuzzVerdict Check(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return FuzzVerdict.Refuse("empty input");
        }

        string text = Encoding.UTF8.GetString(input[1..]);
        switch (input[0] % 3)
        {
            case 0:
                if (!GeoBox.TryParse(text, out GeoBox box, out string? problem))
                {
                    return FuzzVerdict.Refuse(problem);
                }

                return CellGrid.CellsOf(box) is null ? FuzzVerdict.Refuse("too many cells") : FuzzVerdict.Accept;
            case 1:
            {
                int slash = text.IndexOf('/', StringComparison.Ordinal);
                string kind = slash < 0 ? text : text[..slash];
                string id = slash < 0 ? string.Empty : text[(slash + 1)..];
                if (TwinsApi.TryResolve(kind, id, out _, out var result))
                {
                    return FuzzVerdict.Accept;
                }

                return FuzzVerdict.Refuse(result.ProblemDetails.Detail);
            }

            default:
                return DevEui.TryParse(text, out _) ? FuzzVerdict.Accept : FuzzVerdict.Refuse("not a DevEUI: 16 hex digits, separators - or : allowed");
        }
    }
}
