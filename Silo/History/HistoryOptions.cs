using System.ComponentModel.DataAnnotations;

namespace TwinCity.Silo.History;

/// <summary>Configuration section "History" (cluster mode).</summary>
public sealed class HistoryOptions
{
    public const string Section = "History";

    /// <summary>How many applied uplinks may wait to be written; when full, ingest waits (and the broker keeps the rest).</summary>
    [Range(100, 1_000_000)]
    public int BufferSize { get; set; } = 20_000;

    /// <summary>The most records one COPY batch takes.</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 5_000;

    /// <summary>How long the writer gathers a batch before it writes what it has.</summary>
    public TimeSpan BatchWindow { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>History older than this is deleted (hourly).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);
}
