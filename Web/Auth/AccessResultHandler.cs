using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using TwinCity.Grains.Interfaces.Audit;

namespace TwinCity.Web.Auth;

/// <summary>
/// Turns a refusal into the 403 problem with the reason the policy gave, and records refused commands
/// in the audit trail (the caller's agency, the kind and id from the route: the twin is never looked up).
/// </summary>
public sealed class AccessResultHandler(IAuditLog audit, TimeProvider time) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authorizeResult);
        if (!authorizeResult.Forbidden)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        string[] reasons = [.. authorizeResult.AuthorizationFailure?.FailureReasons.Select(r => r.Message) ?? []];
        if (context.User.AgencyOf() is string agency && policy.Requirements.Any(r => r is KindOwnerRequirement))
        {
            audit.Write(new AuditEntry(
                time.GetUtcNow().UtcDateTime,
                agency,
                AuditActions.Command,
                context.Request.RouteValues.GetValueOrDefault(KindOwnerRequirement.RouteValue) as string,
                context.Request.RouteValues.GetValueOrDefault("id") as string,
                AuditOutcomes.Forbidden,
                reasons.Length > 0 ? string.Join("; ", reasons) : null,
                context.User.KeyOf()));
        }

        await AccessProblems.ForbiddenAsync(context, reasons.Length > 0 ? string.Join("; ", reasons) : null);
    }
}
