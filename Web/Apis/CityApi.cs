using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace TwinCity.Web.Apis;

/// <summary><c>GET /api/v1/city</c>: the city's centre, bounds, streets and bus routes, and the map's base layer.</summary>
public static class CityApi
{
    public static RouteGroupBuilder MapCityApi(this RouteGroupBuilder api)
    {
        api.MapGet("/city", GetCity).WithTags("City").WithSummary("The city the platform serves: centre, bounds, streets, bus routes and the map's base layer.");
        return api;
    }

    public static Results<ContentHttpResult, ProblemHttpResult> GetCity(IOptions<MapOptions> options)
    {
        MapOptions o = options.Value;
        string path = Path.IsPathRooted(o.CityFile) ? o.CityFile : Path.Combine(AppContext.BaseDirectory, o.CityFile);
        JsonObject city;
        if (File.Exists(path))
        {
            city = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? [];
        }
        else
        {
            city = new JsonObject { ["name"] = "TwinCity", ["routes"] = new JsonArray(), ["streets"] = new JsonArray() };
        }

        city["baseLayer"] = new JsonObject
        {
            ["url"] = string.IsNullOrWhiteSpace(o.BaseLayerUrl) ? null : o.BaseLayerUrl,
            ["attribution"] = o.BaseLayerAttribution,
        };
        return TypedResults.Content(city.ToJsonString(), "application/json");
    }
}
