using System.Globalization;

namespace TwinCity.Grains.Storage;

/// <summary>
/// The ETag texts of stored versions. Every activation with stored state keeps its ETag, and most
/// states are written only a few times, so the texts of the first versions are made once and
/// shared: a million twins would otherwise hold a million copies of "1" (24 to 32 bytes each).
/// </summary>
public static class StorageETags
{
    /// <summary>Versions below this share one text each.</summary>
    public const int Shared = 256;

    private static readonly string[] Small = [.. Enumerable.Range(0, Shared).Select(v => v.ToString(CultureInfo.InvariantCulture))];

    /// <summary>The ETag of <paramref name="version"/>: its decimal text, shared for the first versions.</summary>
    public static string Of(long version) =>
        version >= 0 && version < Small.Length ? Small[version] : version.ToString(CultureInfo.InvariantCulture);
}
