namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>
/// Twin ids that a silo already holds as strings, found by the device that routes to the twin.
/// A twin that wakes on the silo takes the string held for its device as its id rather than making
/// its own from its key. Ingest keeps the id of every device it serves, so without this each twin
/// would hold a second copy of the same id (48 bytes for a 10-letter id, 48 MB for a million twins).
/// </summary>
public interface ISharedTwinIds
{
    /// <summary>
    /// The string held for the twin of device <paramref name="devEui"/>, when it spells
    /// <paramref name="key"/> (the twin's key as UTF-8); otherwise null.
    /// </summary>
    string? Find(ulong devEui, ReadOnlySpan<byte> key);
}
