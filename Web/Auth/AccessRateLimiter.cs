using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TwinCity.Web.Auth;

/// <summary>
/// Token buckets kept per caller (a key by its key id, never the key; a token by its subject). Network servers and the ingest endpoints
/// draw from a budget of their own, so that a city's uplinks never starve an agency, nor the reverse.
/// Requests without a key are not limited here: they only reach the health checks, the OpenAPI document
/// and, in the embedded city, the live map.
/// </summary>
internal static class AccessRateLimiter
{
    private const string IngestPath = "/api/v1/ingest";

    public static void Configure(RateLimiterOptions options, AccessRateLimitOptions limits)
    {
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            string? keyId = context.User.CallerOf();
            if (keyId is null)
            {
                return RateLimitPartition.GetNoLimiter(string.Empty);
            }

            bool ingest = context.User.RoleOf() == AccessRoles.Network
                || context.Request.Path.StartsWithSegments(IngestPath, StringComparison.OrdinalIgnoreCase);
            return ingest
                ? RateLimitPartition.GetTokenBucketLimiter("ingest:" + keyId, _ => Bucket(limits.IngestPermitsPerSecond, limits.IngestBurst))
                : RateLimitPartition.GetTokenBucketLimiter("api:" + keyId, _ => Bucket(limits.PermitsPerSecond, limits.Burst));
        });
        options.OnRejected = async (rejected, cancellationToken) =>
        {
            HttpContext context = rejected.HttpContext;
            int seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan retryAfter)
                ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
                : 1;
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AccessRateLimiter)).RateLimited(
                context.User.CallerOf() ?? "-",
                context.User.AgencyOf() ?? "-",
                context.Request.Method,
                context.Request.Path);
            await TypedResults.Problem(
                    detail: $"This key or token has made more requests than its rate limit allows; retry after {seconds} s.",
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: "Too many requests")
                .ExecuteAsync(context);
        };
    }

    private static TokenBucketRateLimiterOptions Bucket(int perSecond, int burst) => new()
    {
        TokenLimit = burst,
        TokensPerPeriod = perSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
