using Microsoft.AspNetCore.SignalR;

namespace TwinCity.Web.Hubs;

/// <summary>
/// What one caller may cost the hub: connections per caller (refused at connect), calls a second per
/// connection (a call beyond the budget is refused, the connection stays). The areas and twins one
/// connection watches are limited where they are kept (<see cref="Live.LiveViewers"/>).
/// </summary>
internal sealed class HubLimitsFilter(HubCallers callers) : IHubFilter
{
    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (!callers.TryAdmit(context.Context, out string? refusal))
        {
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

    public ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        ArgumentNullException.ThrowIfNull(invocationContext);
        ArgumentNullException.ThrowIfNull(next);
        return callers.TryCall(invocationContext.Context.ConnectionId)
            ? next(invocationContext)
            : throw new HubException("this connection calls the hub more often than its limit allows; slow down");
    }
}
