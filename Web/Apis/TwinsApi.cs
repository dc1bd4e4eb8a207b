using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using TwinCity.Grains.Interfaces.Cells;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Web.Json;
using TwinCity.Web.Live;

namespace TwinCity.Web.Apis;

/// <summary>The read side of twins: <c>/api/v1/twins</c>.</summary>
public static class TwinsApi
{
    public static RouteGroupBuilder MapTwinsApi(this RouteGroupBuilder api)
    {
        RouteGroupBuilder twins = api.MapGroup("/twins").WithTags("Twins");
        twins.MapGet("/", ListAsync)
            .WithName("ListTwins")
            .WithSummary("Twins in an area (bbox=minLon,minLat,maxLon,maxLat) or of a kind or state, paged; answered by the spatial cells.");
        twins.MapGet("/stats", StatsAsync)
            .WithSummary("Counts of twins online, offline and never heard from, city-wide and by kind.");
        twins.MapGet("/{kind}/{id}", GetTwinAsync)
            .WithName("GetTwin")
            .WithSummary("The twin document; ETag is its version.");
        twins.MapCommandsApi();
        twins.MapHistoryApi();
        return twins;
    }

    public static async Task<Results<JsonBodyResult, StatusCodeHttpResult, ProblemHttpResult>> GetTwinAsync(
        string kind, string id, HttpRequest request, IGrainFactory grains, [FromServices] ITwinDirectory? directory = null)
    {
        if (!TryResolve(kind, id, out TwinKind twinKind, out ProblemHttpResult? problem))
        {
            return problem;
        }

        // Asked of the directory first where there is one: a guess at an id must not wake a grain.
        if (directory is not null && await directory.ExistsOrUnknownAsync(new TwinKey(twinKind, id)) == false)
        {
            return ApiProblems.NotFound($"There is no twin {kind}/{id}.");
        }

        TwinDocument? doc = await grains.GetTwin(twinKind, id).GetAsync();
        if (doc is null)
        {
            return ApiProblems.NotFound($"There is no twin {kind}/{id}.");
        }

        string etag = ETagOf(doc.Version);
        if (request.Headers.IfNoneMatch.Contains(etag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return new JsonBodyResult(w => TwinJson.WriteDocument(w, doc), etag: etag);
    }

    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    public static async Task<Results<JsonBodyResult, ProblemHttpResult>> ListAsync(
        IGrainFactory grains, string? bbox, string? kind, string? status, int? limit, string? cursor)
    {
        TwinKind? kindFilter = null;
        if (!string.IsNullOrEmpty(kind))
        {
            if (!TwinKinds.TryParse(kind, out TwinKind k))
            {
                return ApiProblems.BadRequest($"'kind' must be one of streetlights, water-meters, road-sensors, buses, not '{kind}'");
            }

            kindFilter = k;
        }

        TwinStatus? statusFilter = status?.ToLowerInvariant() switch
        {
            null or "" => null,
            "online" => TwinStatus.Online,
            "offline" => TwinStatus.Offline,
            "unknown" => TwinStatus.Unknown,
            _ => (TwinStatus)255,
        };
        if (statusFilter == (TwinStatus)255)
        {
            return ApiProblems.BadRequest($"'status' must be online, offline or unknown, not '{status}'");
        }

        if (limit is < 1 or > MaxPageSize)
        {
            return ApiProblems.BadRequest($"'limit' must be between 1 and {MaxPageSize}");
        }

        TwinKey? after = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            if (!TryDecodeCursor(cursor, out TwinKey key))
            {
                return ApiProblems.BadRequest("'cursor' is not one this API gave out");
            }

            after = key;
        }

        int pageSize = limit ?? DefaultPageSize;
        GeoBox? area = null;
        List<long>? cells = null;
        if (!string.IsNullOrEmpty(bbox))
        {
            if (!GeoBox.TryParse(bbox, out GeoBox box, out string? problem))
            {
                return ApiProblems.BadRequest(problem!);
            }

            cells = CellGrid.CellsOf(box);
            if (cells is null)
            {
                return ApiProblems.BadRequest($"'bbox' spans more than {CellGrid.MaxCellsPerArea} cells of the city grid; ask for a smaller area");
            }

            area = box;
        }

        // Each cell gives its first twins after the cursor and the pages merge: no sort of the whole city.
        List<TwinSummary> page = await grains.PageAsync(new TwinPageQuery(kindFilter, statusFilter, area, after, pageSize + 1), cells);
        string? next = page.Count > pageSize ? EncodeCursor(page[pageSize - 1].Key) : null;
        if (page.Count > pageSize)
        {
            page.RemoveAt(pageSize);
        }

        return new JsonBodyResult(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("items");
            foreach (TwinSummary twin in page)
            {
                TwinSummaryJson.WriteSummary(w, twin);
            }

            w.WriteEndArray();
            if (next is null)
            {
                w.WriteNull("next");
            }
            else
            {
                w.WriteString("next", next);
            }

            w.WriteEndObject();
        });
    }

    public static async Task<JsonBodyResult> StatsAsync(IGrainFactory grains)
    {
        int[] counts = await grains.CityStatsAsync();
        return new JsonBodyResult(w =>
        {
            w.WriteStartObject();
            WriteCounts(w, counts, null);
            w.WriteStartObject("kinds");
            foreach (TwinKind kind in TwinKinds.All)
            {
                w.WriteStartObject(kind.ToUrlName());
                WriteCounts(w, counts, kind);
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    private static void WriteCounts(System.Text.Json.Utf8JsonWriter w, int[] counts, TwinKind? kind)
    {
        foreach (TwinStatus status in new[] { TwinStatus.Online, TwinStatus.Offline, TwinStatus.Unknown })
        {
            int total = 0;
            foreach (TwinKind k in TwinKinds.All)
            {
                if (kind is null || kind == k)
                {
                    total += counts[CellStats.Index((int)k, (int)status)];
                }
            }

            w.WriteNumber(TwinJson.StatusName(status), total);
        }
    }

    private static string EncodeCursor(TwinKey key) =>
        Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{(int)key.Kind}/{key.Id}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryDecodeCursor(string cursor, out TwinKey key)
    {
        key = default;
        try
        {
            string padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - (padded.Length % 4)) % 4);
            string text = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(padded));
            int slash = text.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0 || !int.TryParse(text[..slash], System.Globalization.CultureInfo.InvariantCulture, out int kind) || kind is < 0 or > 3 || !TwinIds.IsValid(text[(slash + 1)..]))
            {
                return false;
            }

            key = new TwinKey((TwinKind)kind, text[(slash + 1)..]);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public static string ETagOf(long version) => $"\"{version}\"";

    /// <summary>Checks the kind and id of a twin route; the problem explains what is wrong.</summary>
    public static bool TryResolve(string kind, string id, out TwinKind twinKind, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out ProblemHttpResult? problem)
    {
        problem = null;
        if (!TwinKinds.TryParse(kind, out twinKind))
        {
            problem = ApiProblems.NotFound($"'{kind}' is not a kind of twin; the kinds are streetlights, water-meters, road-sensors and buses.");
            return false;
        }

        if (!TwinIds.IsValid(id))
        {
            // Echo only the start of an id that is far too long: the answer should not grow with the abuse.
            string shown = id.Length > 2 * TwinIds.MaxLength ? id[..TwinIds.MaxLength] + "…" : id;
            problem = ApiProblems.BadRequest($"'{shown}' is not a valid twin id: letters, digits, '-', '_' and '.', at most {TwinIds.MaxLength}.");
            return false;
        }

        return true;
    }
}
