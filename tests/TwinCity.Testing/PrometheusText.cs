using System.Globalization;

namespace TwinCity.Testing;

/// <summary>Reads figures out of a <c>/metrics</c> scrape (Prometheus text format).</summary>
public static class PrometheusText
{
    /// <summary>
    /// The sum of a metric's samples, by name prefix (<c>dotnet_gc_pause_time</c> matches
    /// <c>dotnet_gc_pause_time_seconds_total</c>), over those whose labels hold
    /// <paramref name="label"/> when one is given; null when there is none.
    /// </summary>
    public static double? Sum(string text, string metric, string? label = null) =>
        Sum(text, metric, label is null ? [] : [label]);

    /// <summary>As <see cref="Sum(string, string, string?)"/>, over the samples whose labels hold every one of <paramref name="labels"/>.</summary>
    public static double? Sum(string text, string metric, IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(metric);
        double sum = 0;
        bool found = false;
        foreach (string line in text.Split('\n'))
        {
            // "dotnet_gc_last_collection_heap_size_bytes{gc_heap_generation="gen0",...} 123 1700000000000"
            if (!line.StartsWith(metric, StringComparison.Ordinal) || line.Length <= metric.Length || line[metric.Length] is not ('_' or '{' or ' '))
            {
                continue;
            }

            int labelsEnd = line.LastIndexOf('}');
            if (labels.Count > 0 && (labelsEnd < 0 || !labels.All(l => line.AsSpan(0, labelsEnd).Contains(l, StringComparison.Ordinal))))
            {
                continue;
            }

            string[] parts = line[(labelsEnd >= 0 ? labelsEnd + 1 : line.IndexOf(' ', StringComparison.Ordinal))..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 1 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                sum += value;
                found = true;
            }
        }

        return found ? sum : null;
    }
}
