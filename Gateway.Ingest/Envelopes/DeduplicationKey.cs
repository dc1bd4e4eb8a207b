using System.Buffers.Text;
using System.Text;

namespace TwinCity.Gateway.Ingest.Envelopes;

/// <summary>
/// A network server's id for one uplink (ChirpStack's <c>deduplicationId</c>), as ingest's window of
/// recent uplinks keeps it. ChirpStack's ids are UUIDs: those are kept as their 16 bytes, so that
/// reading one makes no string and comparing or hashing one touches 16 bytes rather than 36
/// characters. Any other id is kept as its text, compared exactly.
/// </summary>
public readonly struct DeduplicationKey : IEquatable<DeduplicationKey>
{
    private readonly Guid _uuid;
    private readonly string? _text;

    private DeduplicationKey(Guid uuid, string? text)
    {
        _uuid = uuid;
        _text = text;
    }

    /// <summary>False for the default key, which stands for no id.</summary>
    public bool HasValue => _text is not null || _uuid != Guid.Empty;

    /// <summary>True when the id is a UUID, held as its 16 bytes.</summary>
    public bool IsUuid => _text is null && _uuid != Guid.Empty;

    /// <summary>The key of an id in UTF-8: a UUID in its usual 36-character form, or any other text.</summary>
    public static DeduplicationKey Of(ReadOnlySpan<byte> utf8) =>
        utf8.Length == 36 && Utf8Parser.TryParse(utf8, out Guid uuid, out int read, 'D') && read == 36 && uuid != Guid.Empty
            ? new DeduplicationKey(uuid, null)
            : new DeduplicationKey(Guid.Empty, Encoding.UTF8.GetString(utf8));

    /// <summary>The key of an id: a UUID in its usual 36-character form, or any other text.</summary>
    public static DeduplicationKey Of(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return id.Length == 36 && Guid.TryParseExact(id, "D", out Guid uuid) && uuid != Guid.Empty
            ? new DeduplicationKey(uuid, null)
            : new DeduplicationKey(Guid.Empty, id);
    }

    public static bool operator ==(DeduplicationKey left, DeduplicationKey right) => left.Equals(right);

    public static bool operator !=(DeduplicationKey left, DeduplicationKey right) => !left.Equals(right);

    public bool Equals(DeduplicationKey other) => _uuid == other._uuid && string.Equals(_text, other._text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is DeduplicationKey other && Equals(other);

    public override int GetHashCode() => _text is null ? _uuid.GetHashCode() : string.GetHashCode(_text, StringComparison.Ordinal);

    /// <summary>The id as text: a UUID in lower case, any other id as it came; null for no id.</summary>
    public override string? ToString() => _text ?? (_uuid == Guid.Empty ? null : _uuid.ToString("D"));
}
