using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace TwinCity.Web.Auth;

/// <summary>
/// Sign-in through the city's identity provider: JWT bearer tokens checked by ASP.NET Core's JwtBearer
/// handler (issuer, audience, lifetime, signature, with the keys from OIDC discovery or
/// <c>Access:Jwt:SigningKeys</c>), then mapped onto the same claims a key gives. A token signed
/// correctly but naming an agency the city does not have, or a role its agency does not grant, is
/// authenticated and refused with 403: the provider vouched for the person, the city gives them no access.
/// </summary>
internal sealed class TokenSignIn(
    IOptions<AccessOptions> access, AccessDirectory directory, FailedSignInLimiter failures, ILogger<TokenSignIn> log)
    : IConfigureNamedOptions<JwtBearerOptions>
{
    public void Configure(string? name, JwtBearerOptions options)
    {
        if (name == AccessSchemes.Token)
        {
            Configure(options);
        }
    }

    public void Configure(JwtBearerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        AccessJwtOptions jwt = access.Value.Jwt;
        bool discovery = !string.IsNullOrWhiteSpace(jwt.Authority);
        options.MapInboundClaims = false;
        options.Authority = discovery ? jwt.Authority : null;
        options.Audience = jwt.Audience;
        options.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
        options.TokenValidationParameters = TokenClaims.ValidationParameters(jwt);
        if (!discovery)
        {
            // Read on every token, so that a key set changed in the configuration applies at once.
            options.TokenValidationParameters.IssuerSigningKeyResolver = (_, _, _, _) => directory.Current.SigningKeys;
        }

        options.Events = new JwtBearerEvents
        {
            OnMessageReceived = context =>
            {
                if (string.IsNullOrEmpty(context.Token) && AccessSchemes.OnHub(context.Request))
                {
                    context.Token = context.Request.Query[ApiKeyDefaults.QueryParameter];
                }

                return Task.CompletedTask;
            },
            OnTokenValidated = context =>
            {
                context.Principal = TokenClaims.Map(context.Principal!, jwt, directory.Current, log);
                return Task.CompletedTask;
            },
            OnAuthenticationFailed = context =>
            {
                string reason = Reason(context.Exception);
                log.TokenRefused(reason, context.HttpContext.Connection.RemoteIpAddress?.ToString(), context.Request.Method, context.Request.Path);
                if (failures.RecordFailure(context.HttpContext.Connection.RemoteIpAddress))
                {
                    log.SignInFailuresLimited(context.HttpContext.Connection.RemoteIpAddress?.ToString());
                }

                return Task.CompletedTask;
            },
            OnChallenge = async context =>
            {
                context.HandleResponse();
                context.Response.Headers.WWWAuthenticate = "Bearer";
                string detail = context.AuthenticateFailure is { } failure
                    ? $"The bearer token is not valid: {Reason(failure)}."
                    : "This endpoint needs a bearer token from the city's identity provider, or an API key.";
                await TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized").ExecuteAsync(context.HttpContext);
            },
        };
    }

    private static string Reason(Exception exception) => exception switch
    {
        SecurityTokenExpiredException => "it has expired",
        SecurityTokenNotYetValidException => "it is not valid yet",
        SecurityTokenInvalidAudienceException => "it is for another audience",
        SecurityTokenInvalidIssuerException => "it is from another issuer",
        SecurityTokenSignatureKeyNotFoundException => "it is signed by a key this city does not trust",
        SecurityTokenInvalidSignatureException => "its signature does not verify",
        SecurityTokenNoExpirationException => "it has no expiry",
        SecurityTokenMalformedException or ArgumentException => "it is not a JWT",
        SecurityTokenException => "it does not validate",
        _ => string.Create(CultureInfo.InvariantCulture, $"it could not be checked ({exception.GetType().Name})"),
    };
}
