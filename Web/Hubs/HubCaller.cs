using Microsoft.AspNetCore.SignalR;

namespace TwinCity.Web.Hubs;

/// <summary>
/// One open hub connection as access control sees it: who connected (the key id or token subject, the
/// agency and role they had then, when their credential expires) and its budget of calls.
/// </summary>
internal sealed class HubCaller(HubCallerContext context, string caller, string? keyId, string? agency, string? role, DateTimeOffset? expires, int burst)
{
    private readonly Lock _sync = new();
    private double _tokens = burst;
    private long _refilled;

    public HubCallerContext Context { get; } = context;

    /// <summary><c>key:{id}</c>, <c>sub:{subject}</c> or <c>addr:{address}</c> for a keyless viewer.</summary>
    public string Caller { get; } = caller;

    public string? KeyId { get; } = keyId;

    public string? Agency { get; } = agency;

    public string? Role { get; } = role;

    public DateTimeOffset? Expires { get; } = expires;

    /// <summary>Takes one call from the connection's token bucket; false when it is empty.</summary>
    public bool TryTakeCall(long now, long frequency, int perSecond, int burstLimit)
    {
        lock (_sync)
        {
            if (_refilled != 0)
            {
                _tokens = Math.Min(burstLimit, _tokens + ((now - _refilled) * (double)perSecond / frequency));
            }

            _refilled = now;
            if (_tokens < 1)
            {
                return false;
            }

            _tokens -= 1;
            return true;
        }
    }
}
