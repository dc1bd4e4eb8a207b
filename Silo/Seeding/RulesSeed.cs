using System.Text.Json;
using TwinCity.Grains.Interfaces.Rules;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Silo.Seeding;

/// <summary>
/// The seed city's bus routes and default rules. A rule the operator already has (by id) is kept as it
/// is, so that a restart does not undo the operator's changes.
/// </summary>
internal static class RulesSeed
{
    /// <summary>Reads the routes from the city file; returns how many there were.</summary>
    public static async Task<int> LoadRoutesAsync(IGrainFactory grains, string cityPath, CancellationToken cancellationToken)
    {
        if (!File.Exists(cityPath))
        {
            return 0;
        }

        await using FileStream file = File.OpenRead(cityPath);
        using JsonDocument doc = await JsonDocument.ParseAsync(file, cancellationToken: cancellationToken);
        if (!doc.RootElement.TryGetProperty("routes", out JsonElement routes) || routes.ValueKind != JsonValueKind.Array)
        {
            return 0;
        }

        var lines = new List<RouteLine>();
        foreach (JsonElement r in routes.EnumerateArray())
        {
            string? id = r.TryGetProperty("id", out JsonElement i) ? i.GetString() : null;
            if (id is null || !r.TryGetProperty("path", out JsonElement path))
            {
                continue;
            }

            GeoPoint[] points = [.. path.EnumerateArray().Select(p => new GeoPoint(p[0].GetDouble(), p[1].GetDouble()))];
            lines.Add(new RouteLine(id, r.TryGetProperty("name", out JsonElement n) ? n.GetString() : null, points));
        }

        await grains.GetGrain<IRuleRegistryGrain>(0).PutRoutesAsync([.. lines]);
        return lines.Count;
    }

    /// <summary>Puts the default rules the registry does not have yet; returns the problems of rules it could not read.</summary>
    public static async Task<(int Added, List<string> Problems)> LoadRulesAsync(IGrainFactory grains, string rulesPath, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        if (!File.Exists(rulesPath))
        {
            return (0, problems);
        }

        await using FileStream file = File.OpenRead(rulesPath);
        using JsonDocument doc = await JsonDocument.ParseAsync(file, cancellationToken: cancellationToken);
        IRuleRegistryGrain registry = grains.GetGrain<IRuleRegistryGrain>(0);
        int added = 0;
        int index = 0;
        foreach (JsonElement r in doc.RootElement.EnumerateArray())
        {
            string id = r.TryGetProperty("id", out JsonElement i) && i.ValueKind == JsonValueKind.String ? i.GetString()! : string.Empty;
            if (!RuleParser.TryParse(id, r, out RuleDefinition? rule, out RuleProblem? problem))
            {
                problems.Add($"rule [{index}] '{id}': {problem!.Field}: {problem.Message}");
            }
            else if (await registry.GetAsync(id) is null)
            {
                await registry.PutAsync(rule!);
                added++;
            }

            index++;
        }

        return (added, problems);
    }
}
