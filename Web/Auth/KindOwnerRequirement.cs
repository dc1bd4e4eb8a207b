using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Web.Auth;

/// <summary>
/// Only an agency that owns a kind (<c>Access:Agencies:{name}:Kinds</c>) commands it, and only with a key
/// or token of its full role. Decided from the route's <c>{kind}</c> alone, before any twin is looked up,
/// so a refusal says nothing about whether the twin exists. The requirement is its own handler.
/// </summary>
public sealed class KindOwnerRequirement : AuthorizationHandler<KindOwnerRequirement>, IAuthorizationRequirement
{
    public const string RouteValue = "kind";

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, KindOwnerRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.Resource as HttpContext;
        string? agencyName = context.User.AgencyOf();
        if (agencyName is null || http is null)
        {
            return Task.CompletedTask;
        }

        AccessSnapshot access = http.RequestServices.GetRequiredService<AccessDirectory>().Current;
        CityAgency? agency = access.Agency(agencyName);
        if (agency is null || context.User.RoleOf() != AccessRoles.Agency || agency.Kinds.Count == 0)
        {
            context.Fail(new AuthorizationFailureReason(this, $"{agencyName}{(context.User.RoleOf() is string role && role != AccessRoles.Agency ? $" ({role})" : string.Empty)} commands no kind of twin"));
            return Task.CompletedTask;
        }

        string? kind = http.GetRouteValue(RouteValue) as string;
        if (!TwinKinds.TryParse(kind, out TwinKind twinKind) || agency.Commands(twinKind))
        {
            // Not a kind at all: an agency that commands something hears what the kinds are (400) from the endpoint.
            context.Succeed(requirement);
        }
        else
        {
            string[] owners = [.. access.Agencies.Values.Where(a => a.Commands(twinKind)).Select(a => a.Name)];
            string who = owners.Length == 0 ? "no agency" : string.Join(" and ", owners);
            context.Fail(new AuthorizationFailureReason(this, $"only {who} commands {twinKind.ToUrlName()}"));
        }

        return Task.CompletedTask;
    }
}
