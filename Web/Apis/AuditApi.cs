using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using TwinCity.Grains.Interfaces.Audit;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Web.Auth;
using TwinCity.Web.Json;

namespace TwinCity.Web.Apis;

/// <summary>
/// <c>GET /api/v1/audit</c>: who commanded what, who changed devices and rules, when and how it ended.
/// The city's key sees every entry; an agency's key sees only its own.
/// </summary>
public static class AuditApi
{
    public const int DefaultLimit = 200;
    public const int MaxLimit = 10_000;

    public static RouteGroupBuilder MapAuditApi(this RouteGroupBuilder api)
    {
        api.MapGet("/audit", GetAsync)
            .WithTags("Audit")
            .WithName("Audit")
            .WithSummary("Audited actions, newest first: ?agency=&kind=&from=&to= (ISO 8601)&refused=true|false&limit=. An agency sees only its own entries.");
        return api;
    }

    public static async Task<Results<JsonBodyResult, ProblemHttpResult>> GetAsync(
        string? agency, string? kind, string? from, string? to, string? limit, string? refused, ClaimsPrincipal user, IAuditLog audit, AccessDirectory access, HttpContext context)
    {
        bool? refusals = null;
        if (!string.IsNullOrEmpty(refused))
        {
            if (!bool.TryParse(refused, out bool r))
            {
                return ApiProblems.BadRequest($"'refused' must be true or false, not '{refused}'");
            }

            refusals = r;
        }

        string? actor = null;
        if (!string.IsNullOrEmpty(agency))
        {
            actor = agency.Trim().ToLowerInvariant();
            if (access.Current.Agency(actor) is null)
            {
                return ApiProblems.BadRequest($"'agency' must be one of {string.Join(", ", access.Current.Agencies.Keys)}, not '{agency}'");
            }
        }

        string? kindName = null;
        if (!string.IsNullOrEmpty(kind))
        {
            if (!TwinKinds.TryParse(kind, out TwinKind twinKind))
            {
                return ApiProblems.BadRequest($"'kind' must be one of streetlights, water-meters, road-sensors, buses, not '{kind}'");
            }

            kindName = twinKind.ToUrlName();
        }

        if (!TryTime(from, out DateTime? fromTime))
        {
            return ApiProblems.BadRequest($"'from' must be an ISO 8601 time such as 2026-11-25T18:00:00Z, not '{from}'");
        }

        if (!TryTime(to, out DateTime? toTime))
        {
            return ApiProblems.BadRequest($"'to' must be an ISO 8601 time such as 2026-11-25T19:00:00Z, not '{to}'");
        }

        if (fromTime > toTime)
        {
            return ApiProblems.BadRequest("'from' must not be after 'to'");
        }

        int count = DefaultLimit;
        if (!string.IsNullOrEmpty(limit)
            && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1 || count > MaxLimit))
        {
            return ApiProblems.BadRequest($"'limit' must be a whole number from 1 to {MaxLimit}, not '{limit}'");
        }

        // Which entries a key may see is a matter of the data, not of the endpoint: every reader may call it.
        string caller = user.AgencyOf()!;
        if (user.RoleOf() != AccessRoles.Operator)
        {
            if (actor is not null && actor != caller)
            {
                return TypedResults.Problem(
                    detail: $"A key of {caller} sees only the audit entries of {caller}.",
                    statusCode: StatusCodes.Status403Forbidden,
                    title: "Forbidden");
            }

            actor = caller;
        }

        IReadOnlyList<AuditEntry> entries = await audit.QueryAsync(actor, kindName, fromTime, toTime, count, context.RequestAborted, refusals);
        return new JsonBodyResult(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("items");
            foreach (AuditEntry e in entries)
            {
                w.WriteStartObject();
                TwinJson.WriteTime(w, "at", e.At);
                w.WriteString("agency", e.Actor);
                w.WriteString("key", e.KeyId);
                w.WriteString("action", e.Action);
                w.WriteString("kind", e.Kind);
                w.WriteString("target", e.Target);
                w.WriteString("outcome", e.Outcome);
                w.WriteString("details", e.Details);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static bool TryTime(string? text, out DateTime? value)
    {
        value = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset parsed))
        {
            return false;
        }

        value = parsed.UtcDateTime;
        return true;
    }
}
