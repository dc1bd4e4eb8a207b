using TwinCity.Grains.Interfaces;
using Xunit;

namespace TwinCity.Grains.Tests.Collections;

public sealed class LeanDictionaryTests
{
    [Fact]
    public void Adding_a_hundred_thousand_keys_never_makes_more_entries_than_seven_fifths_of_the_keys()
    {
        var dictionary = new Dictionary<ulong, long>();
        for (ulong key = 0; key < 100_000; key++)
        {
            dictionary.SetLean(key, (long)key * 2);
            int capacity = dictionary.EnsureCapacity(0);
            Assert.True(capacity <= (dictionary.Count * 1.4) + 8, $"{capacity} entries for {dictionary.Count} keys");
        }

        Assert.Equal(100_000, dictionary.Count);
        Assert.Equal(2 * 99_999, dictionary[99_999]);
    }

    [Fact]
    public void A_doubling_dictionary_for_comparison_leaves_far_more_empty()
    {
        var doubling = new Dictionary<ulong, long>();
        var lean = new Dictionary<ulong, long>();
        for (ulong key = 0; key < 80_000; key++)
        {
            doubling[key] = 1;
            lean.SetLean(key, 1);
        }

        Assert.True(doubling.EnsureCapacity(0) > 1.3 * lean.EnsureCapacity(0), $"doubling {doubling.EnsureCapacity(0)}, lean {lean.EnsureCapacity(0)}");
    }

    [Fact]
    public void Setting_a_key_already_held_replaces_its_value_without_growing()
    {
        var dictionary = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < 37; i++)
        {
            dictionary.SetLean("k" + i, i);
        }

        int capacity = dictionary.EnsureCapacity(0);
        for (int i = 0; i < 37; i++)
        {
            dictionary.SetLean("k" + i, -i);
        }

        Assert.Equal(capacity, dictionary.EnsureCapacity(0));
        Assert.Equal(37, dictionary.Count);
        Assert.Equal(-36, dictionary["k36"]);
    }

    [Fact]
    public void A_slot_freed_by_a_removal_is_reused_before_the_dictionary_grows()
    {
        var dictionary = new Dictionary<int, int>();
        for (int i = 0; i < 1000; i++)
        {
            dictionary.AddLean(i, i);
        }

        while (dictionary.Count < dictionary.EnsureCapacity(0))
        {
            dictionary.AddLean(dictionary.Count, 0);
        }

        int full = dictionary.EnsureCapacity(0);
        dictionary.Remove(5);
        dictionary.AddLean(-5, 0);

        Assert.Equal(full, dictionary.EnsureCapacity(0));
        dictionary.AddLean(-6, 0);
        Assert.Equal(full + 1, dictionary.Count);
        Assert.InRange(dictionary.EnsureCapacity(0), LeanDictionary.NextCapacity(full), full * 1.4);
    }

    [Fact]
    public void Adding_a_key_already_held_is_refused_as_Add_refuses_it()
    {
        var dictionary = new Dictionary<int, int> { [1] = 1 };

        Assert.Throws<ArgumentException>(() => dictionary.AddLean(1, 2));
        Assert.Equal(1, dictionary[1]);
    }
}
