using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using TwinCity.Grains.Interfaces.History;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Web.Json;

namespace TwinCity.Web.Apis;

/// <summary><c>GET /twins/{kind}/{id}/history</c>: reported values over time (PostgreSQL in a cluster, recent memory in the embedded city).</summary>
public static class HistoryApi
{
    public const int DefaultLimit = 200;
    public const int MaxLimit = 10_000;

    public static RouteGroupBuilder MapHistoryApi(this RouteGroupBuilder twins)
    {
        twins.MapGet("/{kind}/{id}/history", GetAsync)
            .WithName("TwinHistory")
            .WithSummary("Reported values over time, newest first: ?from=&to= (ISO 8601, default the last 24 h), &property= to keep one, &limit=.");
        return twins;
    }

    public static async Task<Results<JsonBodyResult, ProblemHttpResult>> GetAsync(
        string kind, string id, string? from, string? to, string? property, int? limit, ITwinHistory history, TimeProvider time, HttpContext context)
    {
        if (!TwinsApi.TryResolve(kind, id, out TwinKind twinKind, out ProblemHttpResult? problem))
        {
            return problem;
        }

        DateTime now = time.GetUtcNow().UtcDateTime;
        if (!TryTime(from, now.AddDays(-1), out DateTime fromTime))
        {
            return ApiProblems.BadRequest($"'from' must be an ISO 8601 time such as 2026-11-25T18:00:00Z, not '{from}'");
        }

        if (!TryTime(to, now, out DateTime toTime))
        {
            return ApiProblems.BadRequest($"'to' must be an ISO 8601 time such as 2026-11-25T19:00:00Z, not '{to}'");
        }

        if (fromTime > toTime)
        {
            return ApiProblems.BadRequest("'from' must not be after 'to'");
        }

        if (limit is < 1 or > MaxLimit)
        {
            return ApiProblems.BadRequest($"'limit' must be between 1 and {MaxLimit}");
        }

        TwinProperty? only = null;
        if (!string.IsNullOrEmpty(property))
        {
            if (!PropertyCatalog.TryGet(twinKind, property, out PropertyInfo? info))
            {
                return ApiProblems.BadRequest($"'{property}' is not a property of {twinKind.ToUrlName()}");
            }

            only = info.Property;
        }

        IReadOnlyList<HistoryRecord> records = await history.QueryAsync(twinKind, id, fromTime, toTime, limit ?? DefaultLimit, context.RequestAborted);
        return new JsonBodyResult(w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("durable", history.IsDurable);
            w.WriteStartArray("items");
            foreach (HistoryRecord r in records)
            {
                if (only is TwinProperty p && !r.Values.Any(v => v.Property == p))
                {
                    continue;
                }

                w.WriteStartObject();
                TwinJson.WriteTime(w, "at", r.At);
                w.WriteNumber("fCnt", r.FCnt);
                w.WriteStartObject("values");
                foreach (Reading v in r.Values)
                {
                    if (only is null || v.Property == only)
                    {
                        TwinJson.WriteValue(w, PropertyCatalog.NameOf(v.Property), v.Value);
                    }
                }

                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static bool TryTime(string? text, DateTime fallback, out DateTime value)
    {
        if (string.IsNullOrEmpty(text))
        {
            value = fallback;
            return true;
        }

        bool ok = DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset parsed);
        value = ok ? parsed.UtcDateTime : default;
        return ok;
    }
}
