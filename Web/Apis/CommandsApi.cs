using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using TwinCity.Grains.Interfaces.Audit;
using TwinCity.Grains.Interfaces.Commands;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Web.Auth;
using TwinCity.Web.Json;

namespace TwinCity.Web.Apis;

/// <summary>Commands on twins: <c>POST /twins/{kind}/{id}/commands</c> and <c>GET .../commands/{commandId}</c>.</summary>
public static class CommandsApi
{
    public const int DefaultTtlSeconds = 300;
    public const int MaxTtlSeconds = 7 * 24 * 3600;

    /// <summary>
    /// <c>POST /{kind}/{id}/commands</c> on the twins group it is given. Mapped apart from the reading side
    /// because only the owning agency may use it (<see cref="Auth.AccessPolicies.Commander"/>).
    /// </summary>
    public static RouteGroupBuilder MapCommandIssuing(this RouteGroupBuilder twins)
    {
        twins.MapPost("/{kind}/{id}/commands", IssueAsync)
            .WithName("IssueCommand")
            .WithSummary("Command a twin (owning agency only): sets the desired values and sends the downlink; 202 with the command.");
        return twins;
    }

    public static RouteGroupBuilder MapCommandsApi(this RouteGroupBuilder twins)
    {
        twins.MapGet("/{kind}/{id}/commands/{commandId}", GetAsync)
            .WithName("GetCommand")
            .WithSummary("A command and where it stands: pending, sent, acked, confirmed, failed, expired or superseded.");
        return twins;
    }

    public static async Task<Results<JsonBodyResult, ProblemHttpResult>> IssueAsync(
        string kind, string id, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, IAuditLog audit, TimeProvider time)
    {
        if (!TwinsApi.TryResolve(kind, id, out TwinKind twinKind, out ProblemHttpResult? problem))
        {
            return problem;
        }

        JsonDocument body;
        try
        {
            body = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
        }
        catch (JsonException ex)
        {
            return ApiProblems.BadRequest($"The body is not valid JSON: {ex.Message}");
        }

        using (body)
        {
            JsonElement root = body.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return ApiProblems.BadRequest("The body must be an object: { \"name\": ..., \"args\": {...}, \"ttlSeconds\": ... }");
            }

            string? name;
            JsonElement args;
            Reading[] sets;
            string? validArgs;
            try
            {
                name = root.TryGetProperty("name", out JsonElement n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                args = root.TryGetProperty("args", out JsonElement a) ? a : default;
                if (!CommandCatalog.TryBuild(twinKind, name, args, out sets, out validArgs, out string? error))
                {
                    return ApiProblems.BadRequest(error!);
                }
            }
            catch (InvalidOperationException ex)
            {
                // JSON can escape text that is not valid (a lone "\uD800"); reading it as a string throws.
                return ApiProblems.BadRequest($"A value in the body is not valid text: {ex.Message}");
            }

            int ttl = DefaultTtlSeconds;
            if (root.TryGetProperty("ttlSeconds", out JsonElement t) && (t.ValueKind != JsonValueKind.Number || !t.TryGetInt32(out ttl) || ttl < 1 || ttl > MaxTtlSeconds))
            {
                return ApiProblems.BadRequest($"'ttlSeconds' must be a whole number from 1 to {MaxTtlSeconds}");
            }

            string? idempotencyKey = request.Headers["Idempotency-Key"].FirstOrDefault();
            if (idempotencyKey is { Length: 0 or > 128 })
            {
                return ApiProblems.BadRequest("'Idempotency-Key' must be 1 to 128 characters");
            }

            long? ifMatch = null;
            string? ifMatchHeader = request.Headers.IfMatch.FirstOrDefault();
            if (ifMatchHeader is not null && ifMatchHeader != "*")
            {
                if (!long.TryParse(ifMatchHeader.Trim().Trim('"').Replace("W/", string.Empty, StringComparison.Ordinal).Trim('"'), NumberStyles.Integer, CultureInfo.InvariantCulture, out long version))
                {
                    return ApiProblems.BadRequest("'If-Match' must be an ETag this API gave out, such as \"42\"");
                }

                ifMatch = version;
            }

            // The Commander policy has let only the owning agency's key through.
            string by = user.AgencyOf() ?? twinKind.OwningAgency();
            string? requestHash = idempotencyKey is null ? null : RequestHash(name!, validArgs, ttl);
            CommandResult result;
            try
            {
                result = await grains.GetTwin(twinKind, id).IssueCommandAsync(new CommandRequest(
                    name!, sets, by, TimeSpan.FromSeconds(ttl), validArgs, idempotencyKey, ifMatch, RequestHash: requestHash, ByKey: user.KeyOf()));
            }
            catch (ArgumentException ex)
            {
                return ApiProblems.BadRequest(ex.Message);
            }

            string? refusal = result.Outcome switch
            {
                CommandOutcome.NotProvisioned => AuditOutcomes.NotFound,
                CommandOutcome.VersionMismatch => AuditOutcomes.VersionMismatch,
                CommandOutcome.NotHeld => AuditOutcomes.NotHeld,
                CommandOutcome.Throttled => AuditOutcomes.Throttled,
                CommandOutcome.KeyReused => AuditOutcomes.KeyReused,
                _ => null,
            };
            if (refusal is not null)
            {
                // Accepted commands and their ends are audited by the twin itself.
                audit.Write(new AuditEntry(time.GetUtcNow().UtcDateTime, by, AuditActions.CommandPrefix + name, twinKind.ToUrlName(), id, refusal, result.Reason, user.KeyOf()));
            }

            switch (result.Outcome)
            {
                case CommandOutcome.NotProvisioned:
                    return ApiProblems.NotFound($"There is no twin {kind}/{id}.");
                case CommandOutcome.VersionMismatch:
                    return ApiProblems.PreconditionFailed($"The twin is at version {result.Version}, not {ifMatch}; read it again and retry.");
                case CommandOutcome.NotHeld:
                    return ApiProblems.Conflict("The values are no longer held by the requester.");
                case CommandOutcome.Throttled:
                    return RetryLater(request.HttpContext.Response, result.RetryAfter ?? TimeSpan.FromSeconds(1), StatusCodes.Status429TooManyRequests,
                        "Too many downlinks", seconds => $"No downlink now: {result.Reason}; retry after {seconds} s.");
                case CommandOutcome.Unavailable:
                    return RetryLater(request.HttpContext.Response, result.RetryAfter ?? TimeSpan.FromSeconds(5), StatusCodes.Status503ServiceUnavailable,
                        "Twin unavailable", seconds => $"The command was not done: {result.Reason}; retry after {seconds} s.");
                case CommandOutcome.KeyReused:
                    return TypedResults.Problem(
                        detail: $"{result.Reason}; use a new key for a new command.",
                        statusCode: StatusCodes.Status422UnprocessableEntity,
                        title: "Idempotency-Key reused");
            }

            CommandInfo command = result.Command!;
            HttpResponse response = request.HttpContext.Response;
            response.Headers.Location = $"/api/v1/twins/{twinKind.ToUrlName()}/{id}/commands/{command.Id}";
            response.Headers.ETag = TwinsApi.ETagOf(result.Version);
            if (result.Outcome == CommandOutcome.Repeated)
            {
                response.Headers["Idempotent-Replayed"] = "true";
            }

            return new JsonBodyResult(w => TwinJson.WriteCommand(w, command), StatusCodes.Status202Accepted);
        }
    }

    /// <summary>A refusal that says when to try again: <c>Retry-After</c> in whole seconds (at least 1), and the same number in the detail.</summary>
    private static ProblemHttpResult RetryLater(HttpResponse response, TimeSpan retryAfter, int status, string title, Func<int, string> detail)
    {
        int seconds = (int)Math.Ceiling(Math.Max(1, retryAfter.TotalSeconds));
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(detail: detail(seconds), statusCode: status, title: title);
    }

    /// <summary>What a command asks, as a hash: a repeat under the same Idempotency-Key must ask the same.</summary>
    private static string RequestHash(string name, string? validArgs, int ttl) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes($"{name}\n{validArgs}\n{ttl.ToString(CultureInfo.InvariantCulture)}")));

    public static async Task<Results<JsonBodyResult, ProblemHttpResult>> GetAsync(string kind, string id, string commandId, IGrainFactory grains)
    {
        if (!TwinsApi.TryResolve(kind, id, out TwinKind twinKind, out ProblemHttpResult? problem))
        {
            return problem;
        }

        CommandInfo? command = await grains.GetTwin(twinKind, id).GetCommandAsync(commandId);
        return command is null
            ? ApiProblems.NotFound($"Twin {kind}/{id} has no command {commandId}.")
            : new JsonBodyResult(w => TwinJson.WriteCommand(w, command));
    }
}
