using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using TwinCity.Web.Hubs;

namespace TwinCity.Web.Auth;

/// <summary>
/// Authenticates the <c>X-Api-Key</c> header (and, on the hub only, the <c>access_token</c> query
/// parameter that browsers' SignalR clients send). A request without a key stays anonymous; a key
/// that matches nothing fails. Challenges and refusals are RFC 9457 problem details.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggerFactory, UrlEncoder encoder, ApiKeyRing keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    private readonly ILogger _log = loggerFactory.CreateLogger<ApiKeyAuthenticationHandler>();

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        StringValues presented = Request.Headers[ApiKeyDefaults.Header];
        if (presented.Count == 0 && Request.Path.StartsWithSegments(CityHub.Path, StringComparison.OrdinalIgnoreCase))
        {
            presented = Request.Query[ApiKeyDefaults.QueryParameter];
        }

        if (presented.Count == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        // The same key sent twice (a client adding the header to defaults that already carry it) is one key;
        // two different keys are ambiguous and refused.
        string? key = presented[0];
        for (int i = 1; i < presented.Count; i++)
        {
            if (!string.Equals(presented[i], key, StringComparison.Ordinal))
            {
                return Task.FromResult(Refuse("several different keys"));
            }
        }

        if (!keys.TryFind(key?.Trim(), out ApiKeyIdentity? identity))
        {
            return Task.FromResult(Refuse(string.IsNullOrWhiteSpace(key) ? "empty key" : "unknown key"));
        }

        List<Claim> claims =
        [
            new(AccessClaims.Agency, identity.Agency),
            new(ClaimTypes.Role, identity.Agency),
            new(ClaimTypes.Name, identity.Name),
            new(AccessClaims.KeyId, identity.KeyId),
        ];
        foreach (string application in identity.Applications ?? [])
        {
            // A network server's key speaks only for these applications (ingest checks each event).
            claims.Add(new Claim(Grains.Interfaces.Twins.NetworkApplications.Claim, application));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, ApiKeyDefaults.Scheme, ClaimTypes.Name, ClaimTypes.Role));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, ApiKeyDefaults.Scheme)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        AuthenticateResult result = await HandleAuthenticateOnceSafeAsync();
        Response.Headers.WWWAuthenticate = $"{ApiKeyDefaults.Scheme} header=\"{ApiKeyDefaults.Header}\"";
        string detail = result.Failure is null
            ? $"This endpoint needs an API key in the {ApiKeyDefaults.Header} header."
            : "The API key is not valid.";
        await TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized").ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        AccessProblems.ForbiddenAsync(Context, null);

    private AuthenticateResult Refuse(string reason)
    {
        _log.KeyRefused(reason, Context.Connection.RemoteIpAddress?.ToString(), Request.Method, Request.Path);
        return AuthenticateResult.Fail("The API key is not valid: " + reason);
    }
}
