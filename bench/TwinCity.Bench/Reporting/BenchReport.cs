using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TwinCity.Bench.Reporting;

/// <summary>
/// What a scenario found: figures with targets, notes, and free-form details; printed as a Markdown
/// table and written as JSON to bench/results/{scenario}-{timestamp}.json.
/// </summary>
public sealed class BenchReport(string scenario, IReadOnlyList<string> command)
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private readonly List<Figure> _figures = [];
    private readonly List<string> _notes = [];
    private readonly List<ReportTable> _tables = [];

    public string Scenario { get; } = scenario;

    public IReadOnlyList<string> Command { get; } = command;

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    public MachineInfo Machine { get; } = MachineInfo.Current();

    public IReadOnlyList<Figure> Figures => _figures;

    public IReadOnlyList<string> Notes => _notes;

    public IReadOnlyList<ReportTable> Tables => _tables;

    /// <summary>Scenario-specific numbers kept in the JSON only (samples, per-process CPU, settings).</summary>
    public JsonObject Details { get; } = [];

    /// <summary>Set when the scenario cannot run on this build (a feature not there yet); the run then fails.</summary>
    public string? NotAvailable { get; set; }

    /// <summary>Set when the run itself broke (a process died, a timeout); the run then fails.</summary>
    public string? Error { get; set; }

    public bool Failed => NotAvailable is not null || Error is not null || _figures.Any(f => f.Status == FigureStatus.Failed);

    public Figure Add(string key, string name, double value, string unit, string format, Target? target = null, string? note = null)
    {
        string display = string.IsNullOrEmpty(unit)
            ? value.ToString(format, CultureInfo.InvariantCulture)
            : $"{value.ToString(format, CultureInfo.InvariantCulture)} {unit}";
        var figure = new Figure(key, name, value, unit, display, target, target?.Judge(value) ?? FigureStatus.Info, note);
        _figures.Add(figure);
        return figure;
    }

    /// <summary>
    /// A figure this build cannot give (a metric it does not export yet): a row that says so and why,
    /// with no number (its value is NaN, null in the JSON) and no target to miss.
    /// </summary>
    public Figure AddUnavailable(string key, string name, string note)
    {
        var figure = new Figure(key, name, double.NaN, string.Empty, "not available", null, FigureStatus.Info, note);
        _figures.Add(figure);
        return figure;
    }

    /// <summary>
    /// A yes-or-no check (a session gone, a process that exited by itself): 1 or 0 in the JSON, "yes" or
    /// "no" in the table; anything but <paramref name="expected"/> fails the run, as an exact target does.
    /// </summary>
    public Figure AddCheck(string key, string name, bool value, bool expected, string? note = null)
    {
        var target = Target.Exactly(expected ? 1 : 0, expected ? "yes" : "no");
        double number = value ? 1 : 0;
        var figure = new Figure(key, name, number, string.Empty, value ? "yes" : "no", target, target.Judge(number), note);
        _figures.Add(figure);
        return figure;
    }

    /// <summary>
    /// A figure with a target that the run never reached (nothing to measure it by: the rate never came
    /// back, say): a row that says so in <paramref name="display"/>, with no number, and the target missed.
    /// </summary>
    public Figure AddNotReached(string key, string name, string display, Target target, string? note = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        var figure = new Figure(key, name, double.NaN, string.Empty, display, target, FigureStatus.Missed, note);
        _figures.Add(figure);
        return figure;
    }

    public Figure? Find(string key) => _figures.FirstOrDefault(f => f.Key == key);

    public void Note(string text) => _notes.Add(text);

    public void AddTable(ReportTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        _tables.Add(table);
    }

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"### {Scenario} — {StartedAt:yyyy-MM-dd HH:mm} UTC\n\n");
        md.Append(CultureInfo.InvariantCulture, $"Machine: {Machine}\n\n");
        md.Append(CultureInfo.InvariantCulture, $"Command: `{string.Join(' ', Command)}`\n\n");
        if (NotAvailable is not null)
        {
            md.Append(CultureInfo.InvariantCulture, $"**Not available yet:** {NotAvailable}\n\n");
        }

        if (Error is not null)
        {
            md.Append(CultureInfo.InvariantCulture, $"**Run failed:** {Error}\n\n");
        }

        foreach (ReportTable table in _tables)
        {
            md.Append(CultureInfo.InvariantCulture, $"{table.Title}\n\n");
            md.Append("| ").AppendJoin(" | ", table.Columns).Append(" |\n|---|");
            for (int i = 1; i < table.Columns.Count; i++)
            {
                md.Append("---:|");
            }

            md.Append('\n');
            foreach (IReadOnlyList<string> row in table.Rows)
            {
                md.Append("| ").AppendJoin(" | ", row).Append(" |\n");
            }

            md.Append('\n');
        }

        if (_figures.Count > 0)
        {
            md.Append("| figure | value | target | status |\n|---|---:|---|---|\n");
            foreach (Figure f in _figures)
            {
                string status = f.Status switch
                {
                    FigureStatus.Met => "met",
                    FigureStatus.Missed => "**missed**",
                    FigureStatus.Failed => "**FAILED**",
                    _ => string.Empty,
                };
                string name = f.Note is null ? f.Name : $"{f.Name} ({f.Note})";
                md.Append(CultureInfo.InvariantCulture, $"| {name} | {f.Display} | {f.Target?.ToString() ?? string.Empty} | {status} |\n");
            }

            md.Append('\n');
        }

        foreach (string note in _notes)
        {
            md.Append(CultureInfo.InvariantCulture, $"- {note}\n");
        }

        return md.ToString();
    }

    public JsonObject ToJson()
    {
        var figures = new JsonArray();
        foreach (Figure f in _figures)
        {
            figures.Add(new JsonObject
            {
                ["key"] = f.Key,
                ["name"] = f.Name,
                ["value"] = double.IsFinite(f.Value) ? f.Value : null,
                ["unit"] = f.Unit,
                ["display"] = f.Display,
                ["target"] = f.Target?.ToString(),
                ["status"] = f.Status.ToString().ToLowerInvariant(),
                ["note"] = f.Note,
            });
        }

        return new JsonObject
        {
            ["scenario"] = Scenario,
            ["startedAt"] = StartedAt.ToString("O", CultureInfo.InvariantCulture),
            ["command"] = string.Join(' ', Command),
            ["machine"] = new JsonObject
            {
                ["nproc"] = Machine.Processors,
                ["memoryGiB"] = Machine.MemoryGiB,
                ["cpu"] = Machine.Cpu,
                ["os"] = Machine.Os,
                ["runtime"] = Machine.Runtime,
            },
            ["ok"] = !Failed,
            ["notAvailable"] = NotAvailable,
            ["error"] = Error,
            ["tables"] = new JsonArray([.. _tables.Select(t => (JsonNode?)new JsonObject
            {
                ["title"] = t.Title,
                ["columns"] = new JsonArray([.. t.Columns.Select(c => (JsonNode?)JsonValue.Create(c))]),
                ["rows"] = new JsonArray([.. t.Rows.Select(r => (JsonNode?)new JsonArray([.. r.Select(c => (JsonNode?)JsonValue.Create(c))]))]),
            })]),
            ["figures"] = figures,
            ["notes"] = new JsonArray([.. _notes.Select(n => (JsonNode?)JsonValue.Create(n))]),
            ["details"] = Details.DeepClone(),
        };
    }

    /// <summary>Writes the JSON file and returns its path.</summary>
    public string Save(string directory)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, $"{Scenario}-{StartedAt:yyyyMMdd-HHmmss}.json");
        File.WriteAllText(path, ToJson().ToJsonString(JsonOptions));
        return path;
    }
}
