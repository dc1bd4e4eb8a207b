using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace TwinCity.Web.Auth;

/// <summary>Decides <see cref="ViewerRequirement"/>. A key that was presented and refused is never taken as anonymous.</summary>
public sealed class ViewerAuthorizationHandler(IOptions<AccessOptions> options) : AuthorizationHandler<ViewerRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ViewerRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        string? agency = context.User.AgencyOf();
        if (agency is not null)
        {
            if (Agencies.Readers.Contains(agency, StringComparer.Ordinal))
            {
                context.Succeed(requirement);
            }
            else
            {
                context.Fail(new AuthorizationFailureReason(this, "the live map is for agencies that read twins"));
            }
        }
        else if (options.Value.AnonymousViewersAllowed && !PresentsKey(context.Resource as HttpContext))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }

    private static bool PresentsKey(HttpContext? http) =>
        http is not null && (http.Request.Headers.ContainsKey(ApiKeyDefaults.Header) || http.Request.Query.ContainsKey(ApiKeyDefaults.QueryParameter));
}
