using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TwinCity.Gateway.Ingest.DeadLetters;

/// <summary>
/// The dead letters of this silo: every message counted by reason for as long as the process
/// runs, the latest ones kept in a bounded ring so that a flood of bad input cannot fill memory.
/// Each reason is logged once when it first appears; after that it is only counted.
/// </summary>
public sealed partial class DeadLetterStore(IOptions<IngestOptions> options, TimeProvider time, ILogger<DeadLetterStore> logger) : IDeadLetterReader
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly DeadLetter?[] _ring = new DeadLetter?[Math.Max(1, options.Value.DeadLetterCapacity)];
    private readonly Lock _ringLock = new();
    private long _written;

    /// <summary>Raised after a dead letter is recorded (cluster mode also writes it to PostgreSQL).</summary>
    public event Action<DeadLetter>? Added;

    public IReadOnlyDictionary<string, long> Counts => _counts;

    public long Total => Interlocked.Read(ref _written);

    public DeadLetter Add(string reason, string detail, string source, string? topic, string? devEui, ReadOnlySpan<byte> payload)
    {
        var letter = new DeadLetter(time.GetUtcNow().UtcDateTime, reason, detail, source, topic, devEui, payload[..Math.Min(payload.Length, 4096)].ToArray());
        long count = _counts.AddOrUpdate(reason, 1, static (_, n) => n + 1);
        lock (_ringLock)
        {
            _ring[_written % _ring.Length] = letter;
            _written++;
        }

        if (count == 1)
        {
            LogFirst(reason, detail, source, topic, devEui);
        }

        Added?.Invoke(letter);
        return letter;
    }

    /// <summary>The latest dead letters, newest first.</summary>
    public IReadOnlyList<DeadLetter> Latest(int limit, string? reason = null)
    {
        var result = new List<DeadLetter>(Math.Min(limit, _ring.Length));
        lock (_ringLock)
        {
            long first = Math.Max(0, _written - _ring.Length);
            for (long i = _written - 1; i >= first && result.Count < limit; i--)
            {
                DeadLetter? letter = _ring[i % _ring.Length];
                if (letter is not null && (reason is null || letter.Reason == reason))
                {
                    result.Add(letter);
                }
            }
        }

        return result;
    }

    string IDeadLetterReader.Scope => "silo";

    Task<DeadLetterPage> IDeadLetterReader.ReadAsync(string? reason, int limit, CancellationToken cancellationToken) =>
        Task.FromResult(new DeadLetterPage(Total, new Dictionary<string, long>(_counts), Latest(limit, reason)));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead letter '{Reason}' (first of its kind; further ones are counted, see GET /api/v1/ingest/dead-letters): {Detail} [source {Source}, topic {Topic}, DevEUI {DevEui}]")]
    private partial void LogFirst(string reason, string detail, string source, string? topic, string? devEui);
}
