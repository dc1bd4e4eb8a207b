using Microsoft.AspNetCore.Http;

namespace TwinCity.Web.Auth;

/// <summary>The 403 problem: says which agency may do this, never anything about the resource asked for.</summary>
public static class AccessProblems
{
    public static Task ForbiddenAsync(HttpContext context, string? reason)
    {
        ArgumentNullException.ThrowIfNull(context);
        string agency = context.User.AgencyOf() ?? "anonymous";
        string detail = reason is null
            ? $"A key of {agency} may not use this endpoint."
            : $"A key of {agency} may not use this endpoint: {reason}.";
        return TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden").ExecuteAsync(context);
    }
}
