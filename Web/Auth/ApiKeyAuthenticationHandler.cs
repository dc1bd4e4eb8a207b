using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace TwinCity.Web.Auth;

/// <summary>
/// Authenticates the <c>X-Api-Key</c> header (and, on the hub only, the <c>access_token</c> query
/// parameter that browsers' SignalR clients send). A request without a key stays anonymous; a key
/// that matches nothing, has expired, or is a demo key from another machine fails, and counts against
/// the caller's address (<see cref="FailedSignInLimiter"/>). Challenges and refusals are RFC 9457 problem details.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    AccessDirectory directory,
    FailedSignInLimiter failures,
    TimeProvider time,
    IOptions<AccessOptions> access)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    private readonly ILogger _log = loggerFactory.CreateLogger<ApiKeyAuthenticationHandler>();

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        StringValues presented = Request.Headers[ApiKeyDefaults.Header];
        if (presented.Count == 0 && AccessSchemes.OnHub(Request))
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

        // Read at each request: a key removed from the configuration or past its expiry is refused from its next request on.
        if (!directory.Current.Keys.TryFind(key?.Trim(), time.GetUtcNow(), Context.Connection.RemoteIpAddress, out ApiKeyIdentity? identity, out string? refusal))
        {
            return Task.FromResult(Refuse(refusal));
        }

        ClaimsPrincipal principal = AccessClaims.ForKey(identity, ApiKeyDefaults.Scheme);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, ApiKeyDefaults.Scheme)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        AuthenticateResult result = await HandleAuthenticateOnceSafeAsync();
        string keyChallenge = $"{ApiKeyDefaults.Scheme} header=\"{ApiKeyDefaults.Header}\"";
        Response.Headers.WWWAuthenticate = access.Value.Jwt.Enabled ? new StringValues([keyChallenge, AccessSchemes.Token]) : keyChallenge;
        string detail = result.Failure is null
            ? access.Value.Jwt.Enabled
                ? $"This endpoint needs an API key in the {ApiKeyDefaults.Header} header or a bearer token from the city's identity provider."
                : $"This endpoint needs an API key in the {ApiKeyDefaults.Header} header."
            : result.Failure.Message + ".";
        await TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized").ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        AccessProblems.ForbiddenAsync(Context, null);

    private AuthenticateResult Refuse(string reason)
    {
        _log.KeyRefused(reason, Context.Connection.RemoteIpAddress?.ToString(), Request.Method, Request.Path);
        if (failures.RecordFailure(Context.Connection.RemoteIpAddress))
        {
            _log.SignInFailuresLimited(Context.Connection.RemoteIpAddress?.ToString());
        }

        return AuthenticateResult.Fail("The API key is not valid: " + reason);
    }
}
