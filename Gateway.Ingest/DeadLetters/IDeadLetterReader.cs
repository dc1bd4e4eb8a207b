namespace TwinCity.Gateway.Ingest.DeadLetters;

/// <summary>
/// Where <c>GET /api/v1/ingest/dead-letters</c> reads from: this silo's memory (the embedded city), or
/// the whole cluster's dead letters in PostgreSQL (cluster mode), which outlive every silo.
/// </summary>
public interface IDeadLetterReader
{
    /// <summary><c>silo</c> when the answer is this silo's since it started, <c>cluster</c> when it is every silo's, as retained.</summary>
    string Scope { get; }

    /// <summary>The newest <paramref name="limit"/> dead letters (of <paramref name="reason"/> when given), with the total and the counts by reason.</summary>
    Task<DeadLetterPage> ReadAsync(string? reason, int limit, CancellationToken cancellationToken);
}

/// <summary>A page of dead letters, newest first, with the total and the counts by reason of all there are.</summary>
public sealed record DeadLetterPage(long Total, IReadOnlyDictionary<string, long> Counts, IReadOnlyList<DeadLetter> Letters);
