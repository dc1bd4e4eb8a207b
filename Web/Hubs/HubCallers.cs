using System.Collections.Concurrent;
using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TwinCity.Web.Auth;
using TwinCity.Web.Live;

namespace TwinCity.Web.Hubs;

/// <summary>
/// The open connections of this silo's hub and the credential each connected with. Limits the
/// connections per caller, paces each connection's calls, and closes a connection whose key was
/// removed or expired, whose token expired, or whose agency is gone: at once when the access
/// configuration changes, and at least every <see cref="AccessOptions.RecheckInterval"/> for expiries.
/// </summary>
public sealed partial class HubCallers : BackgroundService
{
    private readonly ConcurrentDictionary<string, HubCaller> _connections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _perCaller = new(StringComparer.Ordinal);
    private readonly Lock _sync = new();
    private readonly AccessDirectory _access;
    private readonly LiveOptions _limits;
    private readonly TimeSpan _recheck;
    private readonly TimeProvider _time;
    private readonly ILogger<HubCallers> _log;
    private readonly SemaphoreSlim _changed = new(0, 1);

    public HubCallers(AccessDirectory access, IOptions<LiveOptions> limits, IOptions<AccessOptions> options, TimeProvider time, ILogger<HubCallers> log)
    {
        ArgumentNullException.ThrowIfNull(access);
        _access = access;
        _limits = limits.Value;
        _recheck = options.Value.RecheckInterval;
        _time = time;
        _log = log;
        _access.Changed += OnAccessChanged;
    }

    public int Count => _connections.Count;

    /// <summary>Admits a new connection, or says why not (too many connections for its caller).</summary>
    public bool TryAdmit(HubCallerContext context, out string? refusal)
    {
        ArgumentNullException.ThrowIfNull(context);
        ClaimsPrincipal user = context.User ?? new ClaimsPrincipal();
        string caller = CallerKey(user, context.GetHttpContext()?.Connection.RemoteIpAddress);
        lock (_sync)
        {
            int open = _perCaller.GetValueOrDefault(caller);
            if (open >= _limits.MaxConnectionsPerCaller)
            {
                refusal = TooMany(open);
                return false;
            }

            _perCaller[caller] = open + 1;
        }

        _connections[context.ConnectionId] = new HubCaller(
            context, caller, user.FindFirst(AccessClaims.KeyId)?.Value, user.AgencyOf(), user.RoleOf(), user.ExpiresOf(), _limits.CallBurst);
        refusal = null;
        return true;
    }

    /// <summary>
    /// Why a caller may not open another connection now (it holds as many as it may), or null: asked
    /// before a connection is made (<see cref="HubAdmission"/>), so that most refusals cost no connection.
    /// </summary>
    public string? RefusalFor(ClaimsPrincipal user, IPAddress? remote)
    {
        ArgumentNullException.ThrowIfNull(user);
        string caller = CallerKey(user, remote);
        lock (_sync)
        {
            int open = _perCaller.GetValueOrDefault(caller);
            return open >= _limits.MaxConnectionsPerCaller ? TooMany(open) : null;
        }
    }

    /// <summary>Who a connection counts against: its key or token subject, else (a keyless viewer) its address.</summary>
    private static string CallerKey(ClaimsPrincipal user, IPAddress? remote) => user.CallerOf() ?? "addr:" + (remote?.ToString() ?? "unknown");

    private static string TooMany(int open) => $"this caller already has {open} live map connections open, the most one may hold; close one first";

    public void Remove(string connectionId)
    {
        if (!_connections.TryRemove(connectionId, out HubCaller? caller))
        {
            return;
        }

        lock (_sync)
        {
            int open = _perCaller.GetValueOrDefault(caller.Caller) - 1;
            if (open <= 0)
            {
                _perCaller.Remove(caller.Caller);
            }
            else
            {
                _perCaller[caller.Caller] = open;
            }
        }
    }

    /// <summary>Takes one call from the connection's budget; false when it called too often.</summary>
    public bool TryCall(string connectionId) =>
        !_connections.TryGetValue(connectionId, out HubCaller? caller)
        || caller.TryTakeCall(_time.GetTimestamp(), _time.TimestampFrequency, _limits.CallsPerSecond, _limits.CallBurst);

    /// <summary>Closes every connection whose credential no longer holds; returns how many.</summary>
    public int Recheck()
    {
        AccessSnapshot access = _access.Current;
        DateTimeOffset now = _time.GetUtcNow();
        int closed = 0;
        foreach (HubCaller caller in _connections.Values)
        {
            string? reason = Revoked(caller, access, now);
            if (reason is not null)
            {
                LogClosed(caller.Context.ConnectionId, caller.Caller, reason);
                caller.Context.Abort();
                closed++;
            }
        }

        return closed;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _changed.WaitAsync(_recheck, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Recheck();
        }
    }

    public override void Dispose()
    {
        _access.Changed -= OnAccessChanged;
        _changed.Dispose();
        base.Dispose();
    }

    private static string? Revoked(HubCaller caller, AccessSnapshot access, DateTimeOffset now)
    {
        if (caller.Expires <= now)
        {
            return "its key or token expired";
        }

        if (caller.KeyId is not null)
        {
            return access.Keys.StillValid(caller.KeyId, caller.Agency!, caller.Role!, now) ? null : "its key was revoked";
        }

        if (caller.Agency is not null)
        {
            CityAgency? agency = access.Agency(caller.Agency);
            return agency is not null && (agency.Role == caller.Role || (caller.Role == AccessRoles.Reader && AccessRoles.Reads(agency.Role)))
                ? null
                : $"its agency {caller.Agency} no longer has that role here";
        }

        return null;
    }

    private void OnAccessChanged()
    {
        try
        {
            _changed.Release();
        }
        catch (SemaphoreFullException)
        {
            // A recheck is already due.
        }
        catch (ObjectDisposedException)
        {
            // Stopping.
        }
    }

    private void LogClosed(string connectionId, string caller, string reason) => _log.HubConnectionClosed(connectionId, caller, reason);
}
