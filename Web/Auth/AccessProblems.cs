using Microsoft.AspNetCore.Http;

namespace TwinCity.Web.Auth;

/// <summary>The 403 problem: says which agency may do this, never anything about the resource asked for.</summary>
public static class AccessProblems
{
    public static Task ForbiddenAsync(HttpContext context, string? reason)
    {
        ArgumentNullException.ThrowIfNull(context);
        string detail;
        if (context.User.FindFirst(AccessClaims.Refused)?.Value is string refused)
        {
            detail = $"The token gives no access to this city: {refused}.";
        }
        else
        {
            string who = context.User.FindFirst(AccessClaims.KeyId) is null ? "A token" : "A key";
            string agency = context.User.AgencyOf() ?? "anonymous";
            string role = context.User.RoleOf() is string r && r != AccessRoles.Agency ? $" ({r})" : string.Empty;
            detail = reason is null
                ? $"{who} of {agency}{role} may not use this endpoint."
                : $"{who} of {agency}{role} may not use this endpoint: {reason}.";
        }

        return TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden").ExecuteAsync(context);
    }
}
