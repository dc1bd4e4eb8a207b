using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Web.Auth;

/// <summary>
/// Only the agency that owns a kind commands it. Decided from the route's <c>{kind}</c> alone, before
/// any twin is looked up, so a refusal says nothing about whether the twin exists. The requirement is
/// its own handler (it needs no services).
/// </summary>
public sealed class KindOwnerRequirement : AuthorizationHandler<KindOwnerRequirement>, IAuthorizationRequirement
{
    public const string RouteValue = "kind";

    private static readonly HashSet<string> Owners = [.. Enum.GetValues<TwinKind>().Select(k => k.OwningAgency())];

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, KindOwnerRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        string? agency = context.User.AgencyOf();
        if (agency is null)
        {
            return Task.CompletedTask;
        }

        string? kind = (context.Resource as HttpContext)?.GetRouteValue(RouteValue) as string;
        if (TwinKinds.TryParse(kind, out TwinKind twinKind))
        {
            if (twinKind.OwningAgency() == agency)
            {
                context.Succeed(requirement);
            }
            else
            {
                context.Fail(new AuthorizationFailureReason(this, $"only {twinKind.OwningAgency()} commands {twinKind.ToUrlName()}"));
            }
        }
        else if (Owners.Contains(agency))
        {
            // Not a kind at all: an agency that commands something hears what the kinds are (400) from the endpoint.
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new AuthorizationFailureReason(this, $"{agency} commands no kind of twin"));
        }

        return Task.CompletedTask;
    }
}
