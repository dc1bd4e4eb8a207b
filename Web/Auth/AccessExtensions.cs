using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using System.Globalization;

namespace TwinCity.Web.Auth;

/// <summary>
/// Wiring of access control: API keys and bearer tokens behind one scheme that picks by what the request
/// carries, the agencies and keys read again on every configuration change, the policies, the per-caller
/// rate limits and the limit on refused sign-ins per address.
/// </summary>
public static class AccessExtensions
{
    /// <summary>
    /// Adds <c>Access:File</c>, when set, as a watched configuration source: keys, agencies and token
    /// signing keys edited there apply without a restart (<see cref="AccessDirectory"/>).
    /// </summary>
    public static IHostApplicationBuilder AddAccessFile(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        string? file = builder.Configuration[$"{AccessOptions.Section}:{nameof(AccessOptions.File)}"];
        if (!string.IsNullOrWhiteSpace(file))
        {
            string path = Path.GetFullPath(file);
            if (!File.Exists(path))
            {
                throw new InvalidOperationException($"{AccessOptions.Section}:{nameof(AccessOptions.File)} names '{path}', which does not exist");
            }

            builder.Configuration.AddJsonFile(path, optional: false, reloadOnChange: true);
        }

        return builder;
    }

    public static IServiceCollection AddTwinCityAccess(this IServiceCollection services)
    {
        services.AddOptions<AccessOptions>().BindConfiguration(AccessOptions.Section).ValidateOnStart();
        services.AddOptions<AccessOptions>(AccessDirectory.LiveOptions).BindConfiguration(AccessOptions.Section);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AccessOptions>, AccessOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<AccessDirectory>();
        services.AddSingleton<FailedSignInLimiter>();
        services.AddHostedService<AccessReport>();

        services.AddAuthentication(AccessSchemes.Default)
            .AddPolicyScheme(AccessSchemes.Default, "API key or bearer token", o => o.ForwardDefaultSelector = AccessSchemes.Select)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyDefaults.Scheme, null)
            .AddJwtBearer(AccessSchemes.Token);
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, TokenSignIn>();
        services.AddSingleton<IAuthorizationHandler, ViewerAuthorizationHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AccessResultHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(AccessPolicies.Reader, p => p.RequireAuthenticatedUser().RequireClaim(AccessClaims.Role, AccessRoles.Readers))
            .AddPolicy(AccessPolicies.Operator, p => p.RequireAuthenticatedUser().RequireClaim(AccessClaims.Role, AccessRoles.Operator))
            .AddPolicy(AccessPolicies.NetworkServer, p => p.RequireAuthenticatedUser().RequireClaim(AccessClaims.Role, AccessRoles.Network))
            .AddPolicy(AccessPolicies.Commander, p => p.RequireAuthenticatedUser().AddRequirements(new KindOwnerRequirement()))
            .AddPolicy(AccessPolicies.Viewer, p => p.AddRequirements(new ViewerRequirement()))
            // An endpoint mapped without a policy and without AllowAnonymous still needs a reader's key.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireClaim(AccessClaims.Role, AccessRoles.Readers).Build());

        services.AddRateLimiter(_ => { });
        services.AddOptions<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>()
            .Configure<IOptions<AccessOptions>>((limiter, access) => AccessRateLimiter.Configure(limiter, access.Value.RateLimit));
        return services;
    }

    /// <summary>
    /// The refused-sign-in gate (before any key is compared), authentication, the per-caller rate limit
    /// (it needs the caller's id), then the policies.
    /// </summary>
    public static IApplicationBuilder UseTwinCityAccess(this IApplicationBuilder app)
    {
        app.Use(RefuseRepeatedFailuresAsync);
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        return app;
    }

    private static async Task RefuseRepeatedFailuresAsync(HttpContext context, RequestDelegate next)
    {
        if (AccessSchemes.PresentsCredential(context.Request)
            && context.RequestServices.GetRequiredService<FailedSignInLimiter>().IsBlocked(context.Connection.RemoteIpAddress, out TimeSpan retryAfter))
        {
            int seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await TypedResults.Problem(
                    detail: $"Too many refused keys or tokens came from this address; retry after {seconds} s.",
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: "Too many failed sign-ins")
                .ExecuteAsync(context);
            return;
        }

        await next(context);
    }
}
