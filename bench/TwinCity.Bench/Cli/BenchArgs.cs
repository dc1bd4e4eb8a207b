using System.Globalization;

namespace TwinCity.Bench.Cli;

/// <summary>
/// The command line: a scenario name followed by <c>--name value</c> options (and bare <c>--flag</c>s).
/// Options are looked up by name, so each scenario reads only what it needs and names its defaults.
/// </summary>
public sealed class BenchArgs
{
    private readonly Dictionary<string, string> _options;
    private readonly HashSet<string> _read = new(StringComparer.OrdinalIgnoreCase);

    private BenchArgs(string scenario, Dictionary<string, string> options, IReadOnlyList<string> raw)
    {
        Scenario = scenario;
        _options = options;
        Raw = raw;
    }

    public string Scenario { get; }

    /// <summary>The arguments as given, for the report (it shows the exact command).</summary>
    public IReadOnlyList<string> Raw { get; }

    public static BenchArgs Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            throw new BenchUsageException("the first argument names the scenario");
        }

        var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 1; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new BenchUsageException($"'{arg}' is not an option (options look like --devices 1000)");
            }

            string name = arg[2..];
            string value = "true";
            int eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }

            options[name] = value;
        }

        return new BenchArgs(args[0].ToLowerInvariant(), options, [.. args]);
    }

    public string? Text(string name)
    {
        _read.Add(name);
        return _options.TryGetValue(name, out string? value) ? value : null;
    }

    public string Text(string name, string fallback) => Text(name) ?? fallback;

    public int Count(string name, int fallback) => (int)Size(name, fallback);

    public long Size(string name, long fallback)
    {
        string? text = Text(name);
        if (text is null)
        {
            return fallback;
        }

        // 2,000,000 and 2_000_000 read as 2000000: the README writes sizes that way.
        string digits = text.Replace(",", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal);
        return long.TryParse(digits, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) && value >= 0
            ? value
            : throw new BenchUsageException($"--{name} must be a whole number, not '{text}'");
    }

    public double Number(string name, double fallback)
    {
        string? text = Text(name);
        if (text is null)
        {
            return fallback;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value >= 0
            ? value
            : throw new BenchUsageException($"--{name} must be a number, not '{text}'");
    }

    public TimeSpan Seconds(string name, double fallbackSeconds) => TimeSpan.FromSeconds(Number(name, fallbackSeconds));

    /// <summary>A length of time: <c>00:10:00</c>, <c>600</c> (seconds), <c>600s</c> or <c>10m</c>.</summary>
    public TimeSpan Duration(string name, TimeSpan fallback)
    {
        string? text = Text(name);
        if (text is null)
        {
            return fallback;
        }

        string trimmed = text.Trim();
        double scale = 1;
        if (trimmed.EndsWith('m'))
        {
            scale = 60;
            trimmed = trimmed[..^1];
        }
        else if (trimmed.EndsWith('s'))
        {
            trimmed = trimmed[..^1];
        }

        if (trimmed.Contains(':', StringComparison.Ordinal) && scale == 1
            && TimeSpan.TryParseExact(trimmed, ["c", @"h\:mm\:ss", @"m\:ss"], CultureInfo.InvariantCulture, out TimeSpan span) && span > TimeSpan.Zero)
        {
            return span;
        }

        return double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value > 0 && double.IsFinite(value)
            ? TimeSpan.FromSeconds(value * scale)
            : throw new BenchUsageException($"--{name} must be a length of time such as 00:10:00, 600, 600s or 10m, not '{text}'");
    }

    public bool Flag(string name)
    {
        string? text = Text(name);
        return text is not null && !string.Equals(text, "false", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A comma-separated list of whole numbers ("100000,1000000"); no thousands separators here.</summary>
    public long[] LongList(string name, string fallback)
    {
        string text = Text(name, fallback);
        return [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => long.TryParse(part.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) && v > 0
                ? v
                : throw new BenchUsageException($"--{name} must be a list of whole numbers such as 100000,1000000, not '{text}'"))];
    }

    /// <summary>The names of the options given.</summary>
    public IEnumerable<string> Given => _options.Keys;

    /// <summary>Options given but never read: most likely typos, which would otherwise pass silently.</summary>
    public IEnumerable<string> Unread() => _options.Keys.Where(k => !_read.Contains(k));
}
