using System.Buffers;
using System.Text;
using System.Text.Json;
using TwinCity.Grains.Interfaces.Rules;
using TwinCity.Web.Apis;
using TwinCity.Web.Json;

namespace TwinCity.Fuzz.Targets;

/// <summary>
/// The body of <c>PUT /api/v1/rules/{id}</c>: read as the endpoint reads it (JSON, the path id
/// against the body's, <see cref="RuleParser"/>), and an accepted rule written back as the
/// response writes it. Seeded from the city's default rules and variants that reach the other
/// scopes, conditions and effects.
/// </summary>
public sealed class RuleTarget : IFuzzTarget
{
    private const string PathId = "fuzz-rule";

    private readonly ArrayBufferWriter<byte> _output = new(4096);

    public string Name => "rule-definition";

    public int MaxLength => 4096;

    public IReadOnlyList<byte[]> Corpus { get; } = [.. DefaultRules(), .. JsonTokens.Of(
        """{"trigger":{"kind":"water-meters","all":[{"property":"flowM3h","op":">=","value":30,"forSeconds":600,"hysteresis":5},{"property":"valve","op":"!=","value":"closed"}],"within":{"minLon":49.80,"minLat":40.35,"maxLon":49.90,"maxLat":40.42}},"scope":{"type":"cell"},"effects":[{"type":"alert","agencies":["azersu","city"],"text":"High flow"}]}""",
        """{"id":"fuzz-rule","enabled":false,"trigger":{"kind":"road-sensors","any":[{"property":"meanSpeedKmh","op":"<","value":10,"hysteresis":2.5},{"property":"surface","op":"==","value":"ice"}]},"scope":{"type":"radius","metres":5000},"effects":[{"type":"command","kind":"streetlights","command":"switch","args":{"on":true}},{"type":"advisory","text":"Slow traffic"}],"durationSeconds":0,"cooldownSeconds":604800,"activeHours":{"from":"22:00","to":"06:00"},"endWhenCleared":true}""",
        """{"trigger":{"kind":"buses","any":[{"property":"occupancyPct","op":"<=","value":0},{"property":"doorsOpen","op":"changed"}]},"scope":{"type":"routeAhead","metres":1,"widthMetres":1},"effects":[{"type":"command","kind":"buses","command":"display","args":{"text":"Next stop"}}],"activeHours":"night"}""",
        """{"description":"","trigger":{"kind":"streetlights","any":[{"property":"batteryPct","op":"<","value":5}]},"effects":[{"type":"alert","agencies":["azerishig"],"text":"Battery low"}]}""")];

    public IReadOnlyList<byte[]> Dictionary { get; } = JsonTokens.With(
        "\"id\":", "\"description\":", "\"enabled\":", "\"trigger\":", "\"kind\":", "\"any\":", "\"all\":", "\"property\":", "\"op\":", "\"value\":",
        "\"forSeconds\":", "\"hysteresis\":", "\"within\":", "\"minLon\":", "\"minLat\":", "\"maxLon\":", "\"maxLat\":", "\"scope\":", "\"type\":",
        "\"metres\":", "\"widthMetres\":", "\"effects\":", "\"command\":", "\"args\":", "\"agencies\":", "\"text\":", "\"durationSeconds\":",
        "\"cooldownSeconds\":", "\"activeHours\":", "\"from\":", "\"to\":", "\"endWhenCleared\":",
        "\"cell\"", "\"radius\"", "\"routeAhead\"", "\"alert\"", "\"advisory\"", "\"night\"", "\"changed\"", "\">=\"", "\"!=\"", "\"==\"",
        "\"streetlights\"", "\"water-meters\"", "\"road-sensors\"", "\"buses\"", "\"dim\"", "\"switch\"", "\"mark\"", "\"display\"",
        "\"24:00\"", "\"23:59\"", "\"-01:00\"", "\"fuzz-rule\"", "\"other-rule\"", "604801", "5000.0001", "1e308", "-1e308", "1e400", "\"\\uDFFF\"");

    public FuzzVerdict Check(ReadOnlySpan<byte> input)
    {
        JsonDocument body;
        try
        {
            body = JsonDocument.Parse(input.ToArray());
        }
        catch (JsonException ex)
        {
            return FuzzVerdict.Refuse($"The body is not valid JSON: {ex.Message}");
        }

        using (body)
        {
            if (!RulesApi.TryReadRule(PathId, body.RootElement, out RuleDefinition? rule, out RuleProblem? problem))
            {
                return FuzzVerdict.Refuse(problem is null ? null : $"{problem.Field}: {problem.Message}");
            }

            // The endpoint answers with the rule it stored: writing it must not fail either.
            _output.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(_output))
            {
                RuleJson.WriteRule(writer, rule!);
            }

            return FuzzVerdict.Accept;
        }
    }

    private static IEnumerable<byte[]> DefaultRules()
    {
        using Stream file = typeof(RuleTarget).Assembly.GetManifestResourceStream("baku-rules.json")
            ?? throw new InvalidOperationException("the default rules are not embedded in the fuzzer");
        using JsonDocument rules = JsonDocument.Parse(file);
        var corpus = new List<byte[]>();
        foreach (JsonElement rule in rules.RootElement.EnumerateArray())
        {
            // The path id of every input is the fuzzer's, so the body's id is set to it.
            string json = rule.GetRawText();
            string id = rule.GetProperty("id").GetString()!;
            corpus.Add(Encoding.UTF8.GetBytes(json.Replace($"\"{id}\"", $"\"{PathId}\"", StringComparison.Ordinal)));
        }

        return corpus;
    }
}
