using System.Collections.Concurrent;

namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>
/// One pool for the short texts that thousands of devices repeat (codec names, network-server
/// application ids, gateway ids, routes): each arrives as a fresh string in every message and
/// registration read, and a million twins holding their own copies cost tens of MB. The pool is
/// bounded, so texts that never repeat cannot grow it without end; past the bound a text is kept as it came.
/// </summary>
public static class SharedStrings
{
    /// <summary>How many distinct texts the pool keeps.</summary>
    public const int Capacity = 16_384;

    /// <summary>Longer texts are not pooled: they are rarely shared and would hold the pool's memory.</summary>
    public const int MaxLength = 64;

    private static readonly ConcurrentDictionary<string, string> Pool = new(StringComparer.Ordinal);
    private static int _count;

    private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> BySpan =
        Pool.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>
    /// The pooled string equal to <paramref name="text"/>; a new string only the first time it is
    /// seen (or once the pool is full), so a parser can look up what it read without allocating.
    /// </summary>
    public static string Get(ReadOnlySpan<char> text)
    {
        if (text.Length > MaxLength)
        {
            return new string(text);
        }

        if (BySpan.TryGetValue(text, out string? pooled))
        {
            return pooled;
        }

        return Add(new string(text));
    }

    /// <summary>
    /// Adds a text not yet pooled, while there is room. The count is kept apart: a concurrent
    /// dictionary's own count takes every one of its locks, which a full pool would do on every miss.
    /// </summary>
    private static string Add(string text)
    {
        if (Volatile.Read(ref _count) >= Capacity)
        {
            return text;
        }

        string pooled = Pool.GetOrAdd(text, text);
        if (ReferenceEquals(pooled, text))
        {
            Interlocked.Increment(ref _count);
        }

        return pooled;
    }

    /// <summary>The pooled copy of <paramref name="text"/> (the text itself the first time it is seen).</summary>
    public static string? Get(string? text)
    {
        if (text is null || text.Length > MaxLength)
        {
            return text;
        }

        if (Pool.TryGetValue(text, out string? pooled))
        {
            return pooled;
        }

        // A text the program holds as a literal (a codec's name) is pooled as that literal. Asked only
        // on a miss: the runtime's table of interned strings is looked up under a lock, some 200 ns a
        // time, where the pool answers in a few dozen.
        return Add(string.IsInterned(text) ?? text);
    }
}
