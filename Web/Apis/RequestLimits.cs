using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;

namespace TwinCity.Web.Apis;

/// <summary>
/// Puts a body size limit on every endpoint of the API by what it takes (<see cref="RequestLimitOptions"/>),
/// as endpoint metadata that routing hands to Kestrel, instead of Kestrel's 30 MB for all.
/// </summary>
public static class RequestLimits
{
    public static RouteGroupBuilder WithRequestLimits(this RouteGroupBuilder api, RequestLimitOptions limits)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(limits);
        ((IEndpointConventionBuilder)api).Add(endpoint =>
        {
            string pattern = (endpoint as RouteEndpointBuilder)?.RoutePattern.RawText?.TrimEnd('/') ?? string.Empty;
            string[] methods = [.. endpoint.Metadata.OfType<IHttpMethodMetadata>().SelectMany(m => m.HttpMethods)];
            endpoint.Metadata.Add(new BodySizeLimit(LimitOf(pattern, methods, limits)));
        });
        return api;
    }

    private static long LimitOf(string pattern, string[] methods, RequestLimitOptions limits) => pattern switch
    {
        _ when pattern.EndsWith("/devices/import", StringComparison.Ordinal) => limits.ImportBytes,
        _ when pattern.EndsWith("/devices", StringComparison.Ordinal) => limits.DeviceBytes,
        _ when pattern.EndsWith("/commands", StringComparison.Ordinal) && methods.Contains("POST") => limits.CommandBytes,
        _ when pattern.Contains("/rules/", StringComparison.Ordinal) => limits.RuleBytes,
        _ => limits.DefaultBytes,
    };

    private sealed class BodySizeLimit(long bytes) : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize => bytes;
    }
}
