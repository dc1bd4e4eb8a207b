using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TwinCity.Grains.Interfaces;

/// <summary>
/// Adds to a dictionary that holds an entry for every device a silo knows (a cell's twins, ingest's
/// cache of registrations, the embedded store's rows). A dictionary doubles when it is full, so
/// just after growing half of its entries are empty, and a city's dictionaries fill at the same
/// pace, so they all sit there together: at a million devices that is tens of megabytes of empty
/// entries. These grow by an eighth instead, which the dictionary rounds up to its next prime size
/// (sizes about a fifth apart), so that about three entries in four or more stay in use, at the
/// price of a few more copies while the city is activated.
/// </summary>
public static class LeanDictionary
{
    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>, growing the dictionary by an eighth when a new key needs room.</summary>
    public static void SetLean<TKey, TValue>(this Dictionary<TKey, TValue> dictionary, TKey key, TValue value)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(dictionary);
        ref TValue slot = ref CollectionsMarshal.GetValueRefOrNullRef(dictionary, key);
        if (!Unsafe.IsNullRef(ref slot))
        {
            slot = value;
            return;
        }

        AddLean(dictionary, key, value);
    }

    /// <summary>Adds <paramref name="key"/>, which the dictionary must not hold, growing it by an eighth when it is full.</summary>
    public static void AddLean<TKey, TValue>(this Dictionary<TKey, TValue> dictionary, TKey key, TValue value)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(dictionary);

        // Full means no free entry is left, so the add would double the entries: grow them an eighth first.
        int capacity = dictionary.EnsureCapacity(0);
        if (dictionary.Count >= capacity)
        {
            dictionary.EnsureCapacity(NextCapacity(dictionary.Count));
        }

        dictionary.Add(key, value);
    }

    /// <summary>The room to make for one more entry in a full dictionary of <paramref name="count"/>.</summary>
    public static int NextCapacity(int count) => count + Math.Max(count / 8, 4);
}
