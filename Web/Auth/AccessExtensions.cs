using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace TwinCity.Web.Auth;

/// <summary>Wiring of access control: the API-key scheme, the policies, the per-key rate limits.</summary>
public static class AccessExtensions
{
    public static IServiceCollection AddTwinCityAccess(this IServiceCollection services)
    {
        services.AddOptions<AccessOptions>().BindConfiguration(AccessOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AccessOptions>, AccessOptionsValidator>());
        services.AddSingleton(sp =>
        {
            AccessOptions options = sp.GetRequiredService<IOptions<AccessOptions>>().Value;
            return new ApiKeyRing(options, options.DemoKeysAllowed);
        });
        services.AddHostedService<AccessReport>();

        services.AddAuthentication(ApiKeyDefaults.Scheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyDefaults.Scheme, null);
        services.AddSingleton<IAuthorizationHandler, ViewerAuthorizationHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, AccessResultHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(AccessPolicies.Reader, p => p.RequireAuthenticatedUser().RequireClaim(AccessClaims.Agency, Agencies.Readers))
            .AddPolicy(AccessPolicies.Operator, p => p.RequireAuthenticatedUser().RequireClaim(AccessClaims.Agency, Agencies.City))
            .AddPolicy(AccessPolicies.NetworkServer, p => p.RequireAuthenticatedUser().RequireClaim(AccessClaims.Agency, Agencies.Network))
            .AddPolicy(AccessPolicies.Commander, p => p.RequireAuthenticatedUser().AddRequirements(new KindOwnerRequirement()))
            .AddPolicy(AccessPolicies.Viewer, p => p.AddRequirements(new ViewerRequirement()))
            // An endpoint mapped without a policy and without AllowAnonymous still needs a reader's key.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireClaim(AccessClaims.Agency, Agencies.Readers).Build());

        services.AddRateLimiter(_ => { });
        services.AddOptions<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>()
            .Configure<IOptions<AccessOptions>>((limiter, access) => AccessRateLimiter.Configure(limiter, access.Value.RateLimit));
        return services;
    }

    /// <summary>Authentication, then the per-key rate limit (it needs the key's id), then the policies.</summary>
    public static IApplicationBuilder UseTwinCityAccess(this IApplicationBuilder app)
    {
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        return app;
    }
}
