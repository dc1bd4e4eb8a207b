using Microsoft.Extensions.Logging;

namespace TwinCity.Web.Auth;

/// <summary>What access control logs. Keys and tokens never appear: at most an agency, a key id (a prefix of the hash), a token's subject and the caller's address.</summary>
internal static partial class AccessLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Refused an API key ({Reason}) from {RemoteIp} on {Method} {Path}")]
    public static partial void KeyRefused(this ILogger logger, string reason, string? remoteIp, string method, string path);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Access: {Configured} configured key(s), {Agencies} agencies, demo keys {DemoKeys}, live map hub {HubAccess}, bearer tokens {Tokens}")]
    public static partial void AccessConfigured(this ILogger logger, int configured, int agencies, string demoKeys, string hubAccess, string tokens);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "The embedded city accepts the public demo keys listed in the README (one per agency), from callers on this machine (loopback) only: for local use, never on a network others can reach")]
    public static partial void DemoKeysInUse(this ILogger logger);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Rate limit: {Caller} of {Agency} was refused {Method} {Path}")]
    public static partial void RateLimited(this ILogger logger, string caller, string agency, string method, string path);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "No API keys are configured (Access:Keys) and no identity provider (Access:Jwt): every API call will be refused until keys are added")]
    public static partial void NoKeys(this ILogger logger);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "The web app listens on {Address}, which other machines may reach: the demo keys and keyless map viewers are refused to callers that are not on this machine; set Access__DemoKeys=false and configure keys to serve them")]
    public static partial void DemoKeysLoopbackOnly(this ILogger logger, string address);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Information, Message = "Refused a bearer token ({Reason}) from {RemoteIp} on {Method} {Path}")]
    public static partial void TokenRefused(this ILogger logger, string reason, string? remoteIp, string method, string path);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Warning, Message = "A network server's token names '{Application}' among its applications, which is not an application id; it is left out (subject {Subject})")]
    public static partial void TokenApplicationIgnored(this ILogger logger, string application, string? subject);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Information, Message = "A valid token gives no access here: {Reason} (subject {Subject})")]
    public static partial void TokenWithoutAccess(this ILogger logger, string reason, string? subject);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Warning, Message = "Address {RemoteIp} presented too many refused keys or tokens: its credentials are answered 429 until its window ends")]
    public static partial void SignInFailuresLimited(this ILogger logger, string? remoteIp);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "Access reloaded: {Configured} configured key(s), {Agencies} agencies, {SigningKeys} token signing key(s)")]
    public static partial void AccessReloaded(this ILogger logger, int configured, int agencies, int signingKeys);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Error, Message = "The changed access configuration was not applied, the last good one stays in force: {Failures}")]
    public static partial void ReloadRefused(this ILogger logger, string failures);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Information, Message = "Closed hub connection {ConnectionId} of {Caller}: {Reason}")]
    public static partial void HubConnectionClosed(this ILogger logger, string connectionId, string caller, string reason);
}
