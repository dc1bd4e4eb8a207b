namespace TwinCity.Grains.Twins;

/// <summary>
/// The registry's record that a twin exists, written by the twin itself when it is first provisioned
/// (<see cref="StoredTwinDirectory"/> reads it). It holds nothing: that the record exists is the
/// answer, and there is a record per twin of the city. Every record is then the same few bytes, which
/// the lone silo's in-memory storage keeps once for all of them. (Records written before it held
/// nothing carry the time the twin was first provisioned, which nothing read; they read as well.)
/// </summary>
[GenerateSerializer, Alias("twincity.twin-directory-entry")]
public sealed class TwinDirectoryEntry
{
}
