using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using TwinCity.Grains.Interfaces.Audit;
using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Web.Auth;
using TwinCity.Web.Devices;
using TwinCity.Web.Json;

namespace TwinCity.Web.Apis;

/// <summary>The device registry: <c>/api/v1/devices</c>.</summary>
public static class DevicesApi
{
    /// <summary>
    /// Registrations an import runs at once. Each waits on several reads and writes of the store in
    /// turn (the device's registration, the twin's snapshot, the twin directory); in a cluster those
    /// are gathered into one statement per batch, so more of them in flight fill the batches rather
    /// than wait their turn.
    /// </summary>
    private const int ImportParallelism = 128;

    public static RouteGroupBuilder MapDevicesApi(this RouteGroupBuilder api)
    {
        RouteGroupBuilder devices = api.MapGroup("/devices").WithTags("Devices");
        devices.MapPost("/", RegisterAsync).WithSummary("Provision one device and bind it to its twin.");
        devices.MapPost("/import", ImportAsync).WithSummary("Provision many devices from CSV or NDJSON; every failed line is reported, the rest kept.");
        devices.MapGet("/{devEui}", GetAsync).WithSummary("A device's registration.");
        devices.MapDelete("/{devEui}", DeleteAsync).WithSummary("Remove a device's registration and unbind its twin.");
        return devices;
    }

    public static async Task<Results<JsonBodyResult, ProblemHttpResult>> RegisterAsync(
        HttpRequest request, IGrainFactory grains, [FromServices] DeviceRequestParser parser, ClaimsPrincipal user, IAuditLog audit, TimeProvider time)
    {
        JsonDocument body;
        try
        {
            body = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
        }
        catch (JsonException ex)
        {
            return ApiProblems.BadRequest($"The body is not valid JSON: {ex.Message}");
        }

        using (body)
        {
            if (!parser.TryRead(body.RootElement, out DeviceRegistration? registration, out string? error))
            {
                return ApiProblems.BadRequest(error!);
            }

            await grains.GetDevice(registration!.DevEui).RegisterAsync(registration);
            AuditRegistration(audit, time, user, registration, null);
            request.HttpContext.Response.Headers.Location = $"/api/v1/devices/{DevEui.Format(registration.DevEui)}";
            return new JsonBodyResult(w => WriteRegistration(w, registration), StatusCodes.Status201Created);
        }
    }

    public static async Task<Results<JsonBodyResult, ProblemHttpResult>> ImportAsync(
        HttpRequest request, IGrainFactory grains, [FromServices] DeviceRequestParser parser, ClaimsPrincipal user, IAuditLog audit, TimeProvider time)
    {
        using var reader = new StreamReader(request.Body);
        string text = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        string[] lines = text.Split('\n');
        bool csv = request.ContentType?.Contains("csv", StringComparison.OrdinalIgnoreCase) == true
            || (request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) != true && !text.TrimStart().StartsWith('{'));

        var failures = new List<(int Line, string Reason)>();
        var accepted = new List<(int Line, DeviceRegistration Registration)>();
        string[]? header = null;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            int lineNumber = i + 1;
            if (csv && header is null)
            {
                if (!CsvLine.TrySplit(line, out List<string> names, out string? headerError))
                {
                    return ApiProblems.BadRequest($"Line {lineNumber}: the CSV header cannot be read: {headerError}.");
                }

                header = [.. names.Select(n => n.Trim())];
                string[] missing = [.. new[] { "devEui", "kind", "twinId", "lat", "lon", "codec", "reportingIntervalSeconds" }
                    .Where(c => !header.Contains(c, StringComparer.OrdinalIgnoreCase))];
                if (missing.Length > 0)
                {
                    return ApiProblems.BadRequest($"Line {lineNumber}: the CSV header lacks {string.Join(", ", missing)}; the columns are {string.Join(",", DeviceRequestParser.CsvColumns)}.");
                }

                continue;
            }

            if (TryParseLine(parser, line, header, out DeviceRegistration? registration, out string? error))
            {
                accepted.Add((lineNumber, registration!));
            }
            else
            {
                failures.Add((lineNumber, error!));
            }
        }

        if (accepted.Count == 0 && failures.Count == 0)
        {
            return ApiProblems.BadRequest("The body holds no devices: send CSV with a header line, or one JSON object per line.");
        }

        // A DevEUI or twin given twice in one file: the later line would silently replace the earlier.
        var seenDevEui = new Dictionary<ulong, int>();
        var seenTwin = new Dictionary<(TwinKind, string), int>();
        var unique = new List<(int Line, DeviceRegistration Registration)>(accepted.Count);
        foreach ((int line, DeviceRegistration r) in accepted)
        {
            if (seenDevEui.TryGetValue(r.DevEui, out int first))
            {
                failures.Add((line, $"DevEUI {DevEui.Format(r.DevEui)} is already on line {first}"));
            }
            else if (seenTwin.TryGetValue((r.Kind, r.TwinId), out first))
            {
                failures.Add((line, $"twin {r.Kind.ToUrlName()}/{r.TwinId} is already on line {first}"));
            }
            else
            {
                seenDevEui[r.DevEui] = line;
                seenTwin[(r.Kind, r.TwinId)] = line;
                unique.Add((line, r));
            }
        }

        await Parallel.ForEachAsync(
            unique,
            new ParallelOptions { MaxDegreeOfParallelism = ImportParallelism, CancellationToken = request.HttpContext.RequestAborted },
            async (item, _) =>
            {
                await grains.GetDevice(item.Registration.DevEui).RegisterAsync(item.Registration);
                AuditRegistration(audit, time, user, item.Registration, $"import line {item.Line}");
            });

        failures.Sort((a, b) => a.Line.CompareTo(b.Line));
        return new JsonBodyResult(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("imported", unique.Count);
            w.WriteNumber("failed", failures.Count);
            w.WriteStartArray("errors");
            foreach ((int line, string reason) in failures)
            {
                w.WriteStartObject();
                w.WriteNumber("line", line);
                w.WriteString("reason", reason);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    public static async Task<Results<JsonBodyResult, ProblemHttpResult>> GetAsync(string devEui, IGrainFactory grains)
    {
        if (!DevEui.TryParse(devEui, out ulong value))
        {
            return ApiProblems.BadRequest($"'{devEui}' is not a DevEUI: 16 hex digits, separators '-' or ':' allowed.");
        }

        DeviceRegistration? registration = await grains.GetDevice(value).GetAsync();
        return registration is null
            ? ApiProblems.NotFound($"No device {DevEui.Format(value)} is registered.")
            : new JsonBodyResult(w => WriteRegistration(w, registration));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string devEui, IGrainFactory grains, ClaimsPrincipal user, IAuditLog audit, TimeProvider time)
    {
        if (!DevEui.TryParse(devEui, out ulong value))
        {
            return ApiProblems.BadRequest($"'{devEui}' is not a DevEUI: 16 hex digits, separators '-' or ':' allowed.");
        }

        DeviceRegistration? before = await grains.GetDevice(value).GetAsync();
        bool deleted = await grains.GetDevice(value).DeleteAsync();
        audit.Write(new AuditEntry(
            time.GetUtcNow().UtcDateTime, user.AgencyOf() ?? Agencies.City, AuditActions.DeviceDelete, before?.Kind.ToUrlName(), DevEui.Format(value),
            deleted ? AuditOutcomes.Deleted : AuditOutcomes.NotFound,
            before is null ? null : $"twin {before.Kind.ToUrlName()}/{before.TwinId}",
            user.KeyOf()));
        return deleted
            ? TypedResults.NoContent()
            : ApiProblems.NotFound($"No device {DevEui.Format(value)} is registered.");
    }

    private static void AuditRegistration(IAuditLog audit, TimeProvider time, ClaimsPrincipal user, DeviceRegistration r, string? how) =>
        audit.Write(new AuditEntry(
            time.GetUtcNow().UtcDateTime, user.AgencyOf() ?? Agencies.City, AuditActions.DeviceRegister, r.Kind.ToUrlName(), DevEui.Format(r.DevEui),
            AuditOutcomes.Registered,
            $"twin {r.Kind.ToUrlName()}/{r.TwinId}, codec {r.Codec}" + (how is null ? string.Empty : ", " + how),
            user.KeyOf()));

    public static void WriteRegistration(Utf8JsonWriter w, DeviceRegistration r)
    {
        w.WriteStartObject();
        w.WriteString("devEui", DevEui.Format(r.DevEui));
        w.WriteString("kind", r.Kind.ToUrlName());
        w.WriteString("twinId", r.TwinId);
        w.WriteString("name", r.Name);
        w.WriteNumber("lat", r.Position.Lat);
        w.WriteNumber("lon", r.Position.Lon);
        w.WriteString("codec", r.Codec);
        w.WriteNumber("reportingIntervalSeconds", r.ReportingIntervalSeconds);
        if (r.Route is not null)
        {
            w.WriteString("route", r.Route);
        }

        if (r.Mapping is { Count: > 0 })
        {
            w.WriteStartObject("mapping");
            foreach ((string from, string to) in r.Mapping)
            {
                w.WriteString(from, to);
            }

            w.WriteEndObject();
        }

        TwinJson.WriteTime(w, "registeredAt", r.RegisteredAt);
        w.WriteString("twin", $"/api/v1/twins/{r.Kind.ToUrlName()}/{r.TwinId}");
        w.WriteEndObject();
    }

    /// <summary>One line of an import: NDJSON when there is no CSV header, else a CSV row read by the header.</summary>
    public static bool TryParseLine(DeviceRequestParser parser, string line, string[]? header, out DeviceRegistration? registration, out string? error)
    {
        registration = null;
        if (header is null)
        {
            try
            {
                using JsonDocument doc = JsonDocument.Parse(line);
                return parser.TryRead(doc.RootElement, out registration, out error);
            }
            catch (JsonException ex)
            {
                error = $"not valid JSON: {ex.Message}";
                return false;
            }
        }

        if (!CsvLine.TrySplit(line, out List<string> values, out error))
        {
            return false;
        }

        if (values.Count != header.Length)
        {
            error = $"{values.Count} fields where the header has {header.Length}";
            return false;
        }

        var fields = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < header.Length; i++)
        {
            fields[header[i]] = values[i];
        }

        return parser.TryBuild(fields, null, out registration, out error);
    }
}
