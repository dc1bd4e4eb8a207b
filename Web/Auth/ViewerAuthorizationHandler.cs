using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace TwinCity.Web.Auth;

/// <summary>
/// Decides <see cref="ViewerRequirement"/>. A credential that was presented and refused is never taken
/// as anonymous, and keyless viewers are let in only from this machine (loopback).
/// </summary>
public sealed class ViewerAuthorizationHandler(IOptions<AccessOptions> options) : AuthorizationHandler<ViewerRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ViewerRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.Resource as HttpContext;
        if (context.User.AgencyOf() is not null || context.User.FindFirst(AccessClaims.Refused) is not null)
        {
            if (AccessRoles.Reads(context.User.RoleOf()))
            {
                context.Succeed(requirement);
            }
            else
            {
                context.Fail(new AuthorizationFailureReason(this, "the live map is for agencies that read twins"));
            }
        }
        else if (options.Value.AnonymousViewersAllowed && http is not null && !AccessSchemes.PresentsCredential(http.Request)
            && ApiKeyRing.IsLoopback(http.Connection.RemoteIpAddress))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
