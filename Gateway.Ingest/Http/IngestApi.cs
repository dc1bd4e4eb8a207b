using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using TwinCity.Gateway.Ingest.DeadLetters;
using TwinCity.Gateway.Ingest.Envelopes;
using TwinCity.Gateway.Ingest.Pipeline;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Gateway.Ingest.Http;

/// <summary>
/// The network servers' HTTP integrations (ChirpStack's HTTP integration, The Things Stack's
/// webhooks), and the dead-letter list. Each answers only after the twin accepted the uplink.
/// </summary>
public static class IngestApi
{
    private const int MaxBodyBytes = 1 << 20;

    /// <summary>The web role's policy for network servers' keys (TwinCity.Web.Auth.AccessPolicies.NetworkServer).</summary>
    public const string NetworkServerPolicy = "network";

    /// <summary>The web role's policy for the city's key (TwinCity.Web.Auth.AccessPolicies.Operator).</summary>
    public const string OperatorPolicy = "operator";

    public static RouteGroupBuilder MapIngestEndpoints(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        RouteGroupBuilder ingest = api.MapGroup("/ingest").WithTags("Ingest");
        RouteGroupBuilder networkServers = ingest.MapGroup(string.Empty).RequireAuthorization(NetworkServerPolicy);
        networkServers.MapPost("/chirpstack", ChirpStackAsync).WithSummary("ChirpStack v4 HTTP integration: ?event=up|join|status|ack|txack|log, body as its MQTT events.");
        networkServers.MapPost("/tts", TheThingsStackAsync).WithSummary("The Things Stack v3 webhook: uplinks, joins and downlink events.");
        RouteGroupBuilder operators = ingest.MapGroup(string.Empty).RequireAuthorization(OperatorPolicy);
        operators.MapGet("/stats", Stats).WithSummary("What this silo's ingest has taken since it started.");
        operators.MapGet("/dead-letters", DeadLetters).WithSummary("Messages ingest could not apply, newest first, with counts by reason.");
        return ingest;
    }

    public static async Task<IResult> ChirpStackAsync(HttpRequest request, string? @event, IngestPipeline pipeline)
    {
        NetworkEvent networkEvent = NetworkEvents.FromChirpStackName((@event ?? string.Empty).AsSpan().Trim());
        if (networkEvent == NetworkEvent.Unknown)
        {
            return TypedResults.Problem(
                detail: $"'event' must be one of up, join, status, ack, txack, log, not '{@event}'",
                statusCode: StatusCodes.Status400BadRequest,
                title: "Bad request");
        }

        return await ProcessAsync(request, pipeline, NetworkServer.ChirpStack, networkEvent);
    }

    public static Task<IResult> TheThingsStackAsync(HttpRequest request, IngestPipeline pipeline) =>
        ProcessAsync(request, pipeline, NetworkServer.TheThingsStack, NetworkEvent.Unknown);

    public static Ok<IngestStats> Stats(IngestMetrics metrics, DeadLetterStore deadLetters, Mqtt.IMqttIntake intake) =>
        TypedResults.Ok(new IngestStats(intake.Received, metrics.Applied, metrics.Duplicates, deadLetters.Total));

    public static async Task<IResult> DeadLetters(IDeadLetterReader reader, string? reason, int? limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (limit is < 1 or > 10_000)
        {
            return TypedResults.Problem(detail: "'limit' must be between 1 and 10000", statusCode: StatusCodes.Status400BadRequest, title: "Bad request");
        }

        DeadLetterPage page = await reader.ReadAsync(string.IsNullOrEmpty(reason) ? null : reason, limit ?? 100, cancellationToken);
        return TypedResults.Ok(new DeadLetterList(
            page.Total,
            page.Counts,
            [.. page.Letters.Select(l => new DeadLetterView(l.At, l.Reason, l.Detail, l.Source, l.Topic, l.DevEui, PayloadText(l.Payload)))],
            reader.Scope));
    }

    private static async Task<IResult> ProcessAsync(HttpRequest request, IngestPipeline pipeline, NetworkServer server, NetworkEvent networkEvent)
    {
        byte[]? body = await ReadBodyAsync(request);
        if (body is null)
        {
            return TypedResults.Problem(detail: $"the body is larger than {MaxBodyBytes} bytes", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too large");
        }

        // A network server's key names the applications it may speak for; a principal without any speaks for none.
        string[] applications = [.. request.HttpContext.User.FindAll(NetworkApplications.Claim).Select(c => c.Value)];
        IngestResult result = await pipeline.ProcessAsync(new IngestMessage(body, server, networkEvent, "http", Applications: applications));
        if (result.Durable is { } durable)
        {
            try
            {
                // The network server hears 200 only once the uplink is durable; else it sends it again.
                await durable;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                result = new IngestResult(IngestOutcome.Retry, "unavailable", "the uplink could not be recorded: " + ex.Message);
            }
        }

        return result.Outcome switch
        {
            IngestOutcome.Applied or IngestOutcome.Duplicate or IngestOutcome.Ignored =>
                TypedResults.Ok(new IngestAnswer(result.Outcome.ToString().ToLowerInvariant(), result.Detail)),
            IngestOutcome.Retry => RetryLater(request.HttpContext, result),
            _ => TypedResults.Problem(
                detail: result.Detail,
                statusCode: result.Reason switch
                {
                    DeadLetterReasons.MalformedEnvelope or DeadLetterReasons.UnsupportedEvent => StatusCodes.Status400BadRequest,
                    DeadLetterReasons.UnknownDevice => StatusCodes.Status404NotFound,
                    DeadLetterReasons.ApplicationNotAllowed or DeadLetterReasons.ApplicationMismatch => StatusCodes.Status403Forbidden,
                    _ => StatusCodes.Status422UnprocessableEntity,
                },
                title: result.Reason,
                extensions: new Dictionary<string, object?> { ["reason"] = result.Reason }),
        };
    }

    private static ProblemHttpResult RetryLater(HttpContext context, IngestResult result)
    {
        context.Response.Headers.RetryAfter = "5";
        return TypedResults.Problem(detail: "the twin is not available right now; send the event again: " + result.Detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Try again");
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(request.ContentLength is long n and > 0 ? (int)n : 4096);
        byte[] chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
            {
                if (buffer.WrittenCount + read > MaxBodyBytes)
                {
                    return null;
                }

                buffer.Write(chunk.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string PayloadText(byte[] payload)
    {
        try
        {
            using JsonDocument doc = JsonDocument.Parse(payload);
            return Encoding.UTF8.GetString(payload);
        }
        catch (JsonException)
        {
            return "base64:" + Convert.ToBase64String(payload);
        }
    }

    public sealed record IngestStats(long Received, long Applied, long Duplicates, long DeadLetters);

    public sealed record IngestAnswer(string Outcome, string? Detail);

    /// <param name="Scope"><c>silo</c>: this silo's since it started; <c>cluster</c>: every silo's, as PostgreSQL retains them.</param>
    public sealed record DeadLetterList(long Total, IReadOnlyDictionary<string, long> Counts, IReadOnlyList<DeadLetterView> Items, string Scope);

    public sealed record DeadLetterView(DateTime At, string Reason, string Detail, string Source, string? Topic, string? DevEui, string Payload);
}
