using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Web.Json;

namespace TwinCity.Web.Apis;

/// <summary>The read side of twins: <c>/api/v1/twins</c>.</summary>
public static class TwinsApi
{
    public static RouteGroupBuilder MapTwinsApi(this RouteGroupBuilder api)
    {
        RouteGroupBuilder twins = api.MapGroup("/twins").WithTags("Twins");
        twins.MapGet("/{kind}/{id}", GetTwinAsync)
            .WithName("GetTwin")
            .WithSummary("The twin document; ETag is its version.");
        return twins;
    }

    public static async Task<Results<JsonBodyResult, StatusCodeHttpResult, ProblemHttpResult>> GetTwinAsync(
        string kind, string id, HttpRequest request, IGrainFactory grains)
    {
        if (!TryResolve(kind, id, out TwinKind twinKind, out ProblemHttpResult? problem))
        {
            return problem;
        }

        TwinDocument? doc = await grains.GetTwin(twinKind, id).GetAsync();
        if (doc is null)
        {
            return ApiProblems.NotFound($"There is no twin {kind}/{id}.");
        }

        string etag = ETagOf(doc.Version);
        if (request.Headers.IfNoneMatch.Contains(etag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return new JsonBodyResult(w => TwinJson.WriteDocument(w, doc), etag: etag);
    }

    public static string ETagOf(long version) => $"\"{version}\"";

    /// <summary>Checks the kind and id of a twin route; the problem explains what is wrong.</summary>
    public static bool TryResolve(string kind, string id, out TwinKind twinKind, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out ProblemHttpResult? problem)
    {
        problem = null;
        if (!TwinKinds.TryParse(kind, out twinKind))
        {
            problem = ApiProblems.NotFound($"'{kind}' is not a kind of twin; the kinds are streetlights, water-meters, road-sensors and buses.");
            return false;
        }

        if (!TwinIds.IsValid(id))
        {
            problem = ApiProblems.BadRequest($"'{id}' is not a valid twin id: letters, digits, '-', '_' and '.', at most {TwinIds.MaxLength}.");
            return false;
        }

        return true;
    }
}
