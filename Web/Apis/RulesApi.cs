using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using TwinCity.Grains.Interfaces.Commands;
using TwinCity.Grains.Interfaces.Rules;
using TwinCity.Web.Auth;
using TwinCity.Web.Json;

namespace TwinCity.Web.Apis;

/// <summary>
/// The city's cross-subsystem rules: <c>GET /rules</c>, <c>GET|PUT|DELETE /rules/{id}</c> and
/// <c>GET /rules/{id}/firings</c>. A rule that does not validate is refused with a problem that names
/// the field at fault.
/// </summary>
public static class RulesApi
{
    public const int DefaultFirings = 50;
    public const int MaxFirings = 200;

    public static RouteGroupBuilder MapRulesApi(this RouteGroupBuilder api)
    {
        RouteGroupBuilder rules = api.MapGroup("/rules").WithTags("Rules");
        rules.MapGet("/", ListAsync).WithName("ListRules").WithSummary("Every rule of the city.");
        rules.MapGet("/{id}", GetAsync).WithName("GetRule").WithSummary("One rule.");
        rules.MapPut("/{id}", PutAsync).WithName("PutRule").WithSummary("Creates or replaces a rule; in force on every silo when the call returns.");
        rules.MapDelete("/{id}", DeleteAsync).WithName("DeleteRule").WithSummary("Deletes a rule.");
        rules.MapGet("/{id}/firings", FiringsAsync).WithName("RuleFirings").WithSummary("The rule's recent firings, newest first: source, targets, alerted agencies.");
        return api;
    }

    public static async Task<JsonBodyResult> ListAsync(IGrainFactory grains)
    {
        RuleDefinition[] rules = await grains.GetGrain<IRuleRegistryGrain>(0).ListAsync();
        return new JsonBodyResult(w =>
        {
            w.WriteStartArray();
            foreach (RuleDefinition rule in rules)
            {
                RuleJson.WriteRule(w, rule);
            }

            w.WriteEndArray();
        });
    }

    public static async Task<Results<JsonBodyResult, ProblemHttpResult>> GetAsync(string id, IGrainFactory grains)
    {
        RuleDefinition? rule = await grains.GetGrain<IRuleRegistryGrain>(0).GetAsync(id);
        return rule is null ? ApiProblems.NotFound($"There is no rule '{id}'.") : new JsonBodyResult(w => RuleJson.WriteRule(w, rule), etag: $"\"{rule.Version}\"");
    }

    public static async Task<Results<JsonBodyResult, ProblemHttpResult>> PutAsync(
        string id, HttpRequest request, IGrainFactory grains, IOptions<RuleLimitsOptions> limits, AccessDirectory access)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(request);
        if (!RuleParser.IsValidId(id))
        {
            return Invalid("id", "a rule id is 1 to 64 letters, digits, '-', '_' or '.'");
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
            ArgumentNullException.ThrowIfNull(access);
            if (!TryReadRule(id, body.RootElement, out RuleDefinition? rule, out RuleProblem? problem, [.. access.Current.Agencies.Keys]))
            {
                return Invalid(problem!.Field, problem.Message);
            }

            double minCooldown = limits.Value.MinCommandCooldownSeconds;
            // A route-ahead rule follows a moving vehicle and must fire again as it moves; firing again on the
            // same lamps only extends their hold (no second downlink), and each device's budget still applies.
            if (rule!.CooldownSeconds < minCooldown && rule.Scope.Type != RuleScopeType.RouteAhead
                && rule.Effects.Any(e => e.Type == RuleEffectType.Command && !CommandCatalog.IsPlatformSide(e.Kind, e.Command ?? string.Empty)))
            {
                return Invalid("cooldownSeconds", $"a rule whose effects send downlinks must have 'cooldownSeconds' of at least {minCooldown}, so that it cannot spend the devices' downlink budgets by firing again at once");
            }

            IRuleRegistryGrain registry = grains.GetGrain<IRuleRegistryGrain>(0);
            bool existed = await registry.GetAsync(id) is not null;
            RuleDefinition stored = await registry.PutAsync(rule!);
            if (!existed)
            {
                request.HttpContext.Response.Headers.Location = $"/api/v1/rules/{id}";
            }

            return new JsonBodyResult(w => RuleJson.WriteRule(w, stored), existed ? StatusCodes.Status200OK : StatusCodes.Status201Created, $"\"{stored.Version}\"");
        }
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string id, IGrainFactory grains) =>
        await grains.GetGrain<IRuleRegistryGrain>(0).DeleteAsync(id) ? TypedResults.NoContent() : ApiProblems.NotFound($"There is no rule '{id}'.");

    public static async Task<Results<JsonBodyResult, ProblemHttpResult>> FiringsAsync(string id, int? limit, IGrainFactory grains)
    {
        if (limit is < 1 or > MaxFirings)
        {
            return Invalid("limit", $"'limit' must be from 1 to {MaxFirings}");
        }

        if (await grains.GetGrain<IRuleRegistryGrain>(0).GetAsync(id) is null)
        {
            return ApiProblems.NotFound($"There is no rule '{id}'.");
        }

        RuleFiring[] firings = await grains.GetGrain<IRuleFiringsGrain>(id).ListAsync(limit ?? DefaultFirings);
        return new JsonBodyResult(w =>
        {
            w.WriteStartArray();
            foreach (RuleFiring firing in firings)
            {
                RuleJson.WriteFiring(w, firing);
            }

            w.WriteEndArray();
        });
    }

    /// <summary>
    /// Reads the body of <c>PUT /rules/{id}</c>: the rule, or the field at fault and why. Public so
    /// that the fuzzer runs exactly what the endpoint runs.
    /// </summary>
    /// <param name="agencies">The city's agencies, which an alert may be addressed to (null takes any well-formed name).</param>
    public static bool TryReadRule(string id, JsonElement root, out RuleDefinition? rule, out RuleProblem? problem, IReadOnlyCollection<string>? agencies = null)
    {
        rule = null;
        try
        {
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out JsonElement given)
                && (given.ValueKind != JsonValueKind.String || !given.ValueEquals(id)))
            {
                problem = new RuleProblem("id", $"the body's 'id' must be the id in the path, '{id}'");
                return false;
            }
        }
        catch (InvalidOperationException ex)
        {
            // Looking a property up reads every name before it; a name that is not valid text ("\uDFFF") throws.
            problem = new RuleProblem("$", $"a property name is not valid text: {ex.Message}");
            return false;
        }

        return RuleParser.TryParse(id, root, out rule, out problem, agencies);
    }

    /// <summary>400 with the field at fault both in the text and as <c>field</c> / <c>errors</c>, for people and programs.</summary>
    private static ProblemHttpResult Invalid(string field, string message) =>
        TypedResults.Problem(
            detail: $"{field}: {message}",
            statusCode: StatusCodes.Status400BadRequest,
            title: "The rule is not valid",
            extensions: new Dictionary<string, object?>
            {
                ["field"] = field,
                ["errors"] = new Dictionary<string, string[]> { [field] = [message] },
            });
}
