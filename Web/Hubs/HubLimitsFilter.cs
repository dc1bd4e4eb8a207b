using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace TwinCity.Web.Hubs;

/// <summary>
/// What one caller may cost the hub: connections per caller (refused at connect), calls a second per
/// connection (a call beyond the budget is refused, the connection stays). The areas and twins one
/// connection watches are limited where they are kept (<see cref="Live.LiveViewers"/>).
/// </summary>
internal sealed partial class HubLimitsFilter(HubCallers callers, ILogger<HubLimitsFilter> logger) : IHubFilter
{
    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (!callers.TryAdmit(context.Context, out string? refusal))
        {
            // Most such callers are refused before they connect (HubAdmission); this is one that raced another.
            LogRefused("OnConnectedAsync", context.Context.ConnectionId, refusal!);
            throw new HubException(refusal);
        }

        try
        {
            await next(context);
        }
        catch
        {
            // A connection that fails to connect is never disconnected: give its place back here.
            callers.Remove(context.Context.ConnectionId);
            throw;
        }
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            await next(context, exception);
        }
        finally
        {
            callers.Remove(context.Context.ConnectionId);
        }
    }

    /// <summary>
    /// Paces the connection's calls, and logs what a call ends in: a refusal (a <see cref="HubException"/>,
    /// whose message the caller receives) at debug level, since a caller can make as many as it likes,
    /// and anything else as the error it is. SignalR's own log of failed calls is off (see
    /// <see cref="WebExtensions"/>): it would log every refusal as an error.
    /// </summary>
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        ArgumentNullException.ThrowIfNull(invocationContext);
        ArgumentNullException.ThrowIfNull(next);
        if (!callers.TryCall(invocationContext.Context.ConnectionId))
        {
            LogRefused(invocationContext.HubMethodName, invocationContext.Context.ConnectionId, Paced);
            throw new HubException(Paced);
        }

        try
        {
            return await next(invocationContext);
        }
        catch (HubException ex)
        {
            LogRefused(invocationContext.HubMethodName, invocationContext.Context.ConnectionId, ex.Message);
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(ex, invocationContext.HubMethodName, invocationContext.Context.ConnectionId);
            throw;
        }
    }

    private const string Paced = "this connection calls the hub more often than its limit allows; slow down";

    [LoggerMessage(EventId = 4101, Level = LogLevel.Debug, Message = "Hub call {Method} on connection {ConnectionId} refused: {Reason}")]
    private partial void LogRefused(string method, string connectionId, string reason);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Error, Message = "Hub call {Method} on connection {ConnectionId} failed")]
    private partial void LogFailed(Exception exception, string method, string connectionId);
}
