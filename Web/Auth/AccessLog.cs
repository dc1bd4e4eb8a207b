using Microsoft.Extensions.Logging;

namespace TwinCity.Web.Auth;

/// <summary>What access control logs. Keys never appear: at most an agency, a key id (a prefix of the hash) and the caller's address.</summary>
internal static partial class AccessLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Refused an API key that matches no configured key ({Reason}) from {RemoteIp} on {Method} {Path}")]
    public static partial void KeyRefused(this ILogger logger, string reason, string? remoteIp, string method, string path);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Access: {Configured} configured key(s), demo keys {DemoKeys}, live map hub {HubAccess}")]
    public static partial void AccessConfigured(this ILogger logger, int configured, string demoKeys, string hubAccess);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "The embedded city accepts the public demo keys listed in the README (one per agency): for local use only, never on a network others can reach")]
    public static partial void DemoKeysInUse(this ILogger logger);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "No API keys are configured (Access:Keys): every API call will be refused until keys are added")]
    public static partial void NoKeys(this ILogger logger);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Rate limit: key {KeyId} of {Agency} was refused {Method} {Path}")]
    public static partial void RateLimited(this ILogger logger, string keyId, string agency, string method, string path);
}
