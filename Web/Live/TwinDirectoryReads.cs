using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Web.Live;

/// <summary>
/// How the web role asks the twin directory whether a twin exists before it wakes one: patiently but
/// not for long, since the directory reads the database and twins keep answering from memory while
/// the database is away.
/// </summary>
internal static class TwinDirectoryReads
{
    /// <summary>How long a caller waits for the directory before it asks the twin itself.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Whether the twin exists; null when the directory cannot say in time (its store is away or
    /// slow), and the caller then asks the twin, as it did before there was a directory.
    /// </summary>
    public static async Task<bool?> ExistsOrUnknownAsync(this ITwinDirectory directory, TwinKey key)
    {
        ArgumentNullException.ThrowIfNull(directory);
        try
        {
            return await directory.ExistsAsync(key).AsTask().WaitAsync(Patience);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // TimeoutException from the wait, or whatever the store threw.
            return null;
        }
    }
}
