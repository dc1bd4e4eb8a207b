using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using TwinCity.Grains.Twins;

namespace TwinCity.Grains.Tests.Twins;

public sealed class TwinDirectoryEntryTests
{
    /// <summary>
    /// An entry as the registry stored it before entries held nothing: a <see cref="TwinDirectoryEntry"/>
    /// whose field 0 was the time the twin was first provisioned (2026-11-30 06:00 UTC), serialized by
    /// the build of `048fbd4`.
    /// </summary>
    private const string EntryWithItsTime = "20800030212BA74EDF48E0";

    private static Serializer NewSerializer() =>
        new ServiceCollection()
            .AddSerializer(s => s.AddAssembly(typeof(TwinDirectoryEntry).Assembly))
            .BuildServiceProvider()
            .GetRequiredService<Serializer>();

    [Fact]
    public void An_entry_stored_with_the_time_it_once_held_still_reads()
    {
        Serializer serializer = NewSerializer();

        TwinDirectoryEntry? entry = serializer.Deserialize<TwinDirectoryEntry>(Convert.FromHexString(EntryWithItsTime));

        Assert.NotNull(entry);
    }

    [Fact]
    public void Every_entry_is_the_same_few_bytes()
    {
        Serializer serializer = NewSerializer();

        byte[] first = serializer.SerializeToArray(new TwinDirectoryEntry());
        byte[] second = serializer.SerializeToArray(new TwinDirectoryEntry());

        Assert.Equal(first, second);
        Assert.InRange(first.Length, 1, TwinCity.Grains.Storage.LocalGrainStorage.SharedCopyBytes);
    }
}
