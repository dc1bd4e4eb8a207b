using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace TwinCity.Web.Hubs;

/// <summary>
/// Refuses a caller's new live map connection before it is made when the caller already holds as
/// many as it may (<see cref="Live.LiveOptions.MaxConnectionsPerCaller"/>): the negotiation and a
/// WebSocket's opening request are answered 429 with a problem that says why, so that a caller
/// opening connections in a loop costs neither a connection nor an error in the log.
/// </summary>
internal static class HubAdmission
{
    public static IApplicationBuilder UseHubAdmission(this IApplicationBuilder app) =>
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments(CityHub.Path)
                && (context.Request.Path.Value!.EndsWith("/negotiate", StringComparison.Ordinal) || context.WebSockets.IsWebSocketRequest),
            branch => branch.Use(async (context, next) =>
            {
                // Access control has run: the caller may view, and counts as its key, its token's subject or its address.
                string? refusal = context.RequestServices.GetRequiredService<HubCallers>().RefusalFor(context.User, context.Connection.RemoteIpAddress);
                if (refusal is not null)
                {
                    await TypedResults.Problem(detail: refusal, statusCode: StatusCodes.Status429TooManyRequests, title: "Too many connections")
                        .ExecuteAsync(context);
                    return;
                }

                await next(context);
            }));
}
