using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Grains.Storage;
using TwinCity.Grains.Twins;
using Xunit;

namespace TwinCity.Grains.Tests.Storage;

public sealed class LocalGrainStorageTests
{
    private static readonly GrainId Twin = GrainId.Create("streetlight", "sl-1");

    private static LocalGrainStorage NewStorage()
    {
        ServiceProvider services = new ServiceCollection()
            .AddSerializer(s => s.AddAssembly(typeof(StreetlightState).Assembly))
            .BuildServiceProvider();
        return new LocalGrainStorage(services.GetRequiredService<Serializer>());
    }

    private static GrainState<StreetlightState> Lamp(double energy, string? etag = null) =>
        new(new StreetlightState { Name = "Nizami 1", Version = 7, EnergyWh = new Measured<double> { Value = energy, At = new DateTime(2026, 11, 28, 6, 0, 0, DateTimeKind.Utc) } }, etag);

    [Fact]
    public async Task A_written_state_is_read_back_as_a_copy_with_its_etag()
    {
        LocalGrainStorage storage = NewStorage();
        GrainState<StreetlightState> written = Lamp(1200);
        await storage.WriteStateAsync("twin", Twin, written);
        written.State!.EnergyWh.Value = 9999;

        var read = new GrainState<StreetlightState>(new StreetlightState());
        await storage.ReadStateAsync("twin", Twin, read);

        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.NotNull(read.State);
        Assert.Equal(1200, read.State.EnergyWh.Value);
        Assert.Equal("Nizami 1", read.State.Name);
        Assert.Equal(7, read.State.Version);
    }

    [Fact]
    public async Task Rows_of_the_same_few_bytes_share_one_copy_and_each_keeps_its_own_version()
    {
        LocalGrainStorage storage = NewStorage();
        GrainId other = GrainId.Create("streetlight", "sl-2");
        var first = new GrainState<TwinDirectoryEntry>(new TwinDirectoryEntry());
        var second = new GrainState<TwinDirectoryEntry>(new TwinDirectoryEntry());
        await storage.WriteStateAsync(StoredTwinDirectory.StateName, Twin, first);
        await storage.WriteStateAsync(StoredTwinDirectory.StateName, other, second);
        await storage.WriteStateAsync(StoredTwinDirectory.StateName, other, second);

        byte[]? copy = storage.StoredCopy(StoredTwinDirectory.StateName, Twin);
        Assert.NotNull(copy);
        Assert.InRange(copy.Length, 1, LocalGrainStorage.SharedCopyBytes);
        Assert.Same(copy, storage.StoredCopy(StoredTwinDirectory.StateName, other));
        Assert.Equal("1", first.ETag);
        Assert.Equal("2", second.ETag);

        var read = new GrainState<TwinDirectoryEntry>();
        await storage.ReadStateAsync(StoredTwinDirectory.StateName, other, read);
        Assert.True(read.RecordExists);
        Assert.Equal("2", read.ETag);
        Assert.NotNull(read.State);

        // A twin's snapshot is larger than a shared copy: each row keeps its own.
        await storage.WriteStateAsync("twin", Twin, Lamp(1));
        await storage.WriteStateAsync("twin", other, Lamp(1));
        Assert.NotSame(storage.StoredCopy("twin", Twin), storage.StoredCopy("twin", other));
    }

    [Fact]
    public async Task A_state_never_written_is_reported_missing()
    {
        LocalGrainStorage storage = NewStorage();
        var read = new GrainState<StreetlightState>(new StreetlightState());

        await storage.ReadStateAsync("twin", Twin, read);

        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        Assert.Equal(0, storage.Count);
    }

    [Fact]
    public async Task A_write_from_a_stale_copy_is_refused_and_the_stored_state_kept()
    {
        LocalGrainStorage storage = NewStorage();
        GrainState<StreetlightState> first = Lamp(100);
        await storage.WriteStateAsync("twin", Twin, first);
        GrainState<StreetlightState> stale = Lamp(50, first.ETag);
        await storage.WriteStateAsync("twin", Twin, Lamp(200, first.ETag));

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("twin", Twin, stale));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("twin", GrainId.Create("streetlight", "sl-2"), Lamp(1, "3")));

        var read = new GrainState<StreetlightState>(new StreetlightState());
        await storage.ReadStateAsync("twin", Twin, read);
        Assert.Equal(200, read.State!.EnergyWh.Value);
    }

    [Fact]
    public async Task Cleared_state_is_gone_and_can_be_written_afresh()
    {
        LocalGrainStorage storage = NewStorage();
        GrainState<StreetlightState> state = Lamp(100);
        await storage.WriteStateAsync("twin", Twin, state);
        await storage.WriteStateAsync("device", Twin, Lamp(5));

        await storage.ClearStateAsync("twin", Twin, state);

        Assert.Null(state.ETag);
        var read = new GrainState<StreetlightState>(new StreetlightState());
        await storage.ReadStateAsync("twin", Twin, read);
        Assert.False(read.RecordExists);
        Assert.Equal(1, storage.Count);
        await storage.WriteStateAsync("twin", Twin, state);
        Assert.Equal(2, storage.Count);
    }

    [Fact]
    public async Task Writers_on_many_threads_keep_every_copy_and_of_two_writes_from_one_version_only_one_lands()
    {
        LocalGrainStorage storage = NewStorage();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            for (int i = 0; i < 250; i++)
            {
                await storage.WriteStateAsync("twin", GrainId.Create("streetlight", $"sl-{t}-{i}"), Lamp((t * 1000) + i));
            }
        })));

        Assert.Equal(2000, storage.Count);
        var read = new GrainState<StreetlightState>(new StreetlightState());
        for (int t = 0; t < 8; t++)
        {
            for (int i = 0; i < 250; i++)
            {
                await storage.ReadStateAsync("twin", GrainId.Create("streetlight", $"sl-{t}-{i}"), read);
                Assert.True(read.RecordExists);
                Assert.Equal((t * 1000) + i, read.State!.EnergyWh.Value);
            }
        }

        // Many pairs of writers that both read version 1: in each pair one write lands, the other is refused.
        int landed = 0;
        int refused = 0;
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            GrainId lamp = GrainId.Create("streetlight", $"pair-{i}");
            GrainState<StreetlightState> first = Lamp(1);
            await storage.WriteStateAsync("twin", lamp, first);
            await Task.WhenAll(Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
            {
                try
                {
                    await storage.WriteStateAsync("twin", lamp, Lamp(10 + w, first.ETag));
                    Interlocked.Increment(ref landed);
                }
                catch (InconsistentStateException)
                {
                    Interlocked.Increment(ref refused);
                }
            })));
        })));

        Assert.Equal(200, landed);
        Assert.Equal(200, refused);
    }

    [Fact]
    public async Task Integer_keyed_grains_keep_their_own_rows_apart_from_other_types_and_texts_that_read_as_the_same_number()
    {
        LocalGrainStorage storage = NewStorage();
        GrainType device = GrainType.Create("device");
        GrainId deviceA = GrainId.Create(device, GrainIdKeyExtensions.CreateIntegerKey(0x70B3D57ED0000001));
        GrainId deviceB = GrainId.Create(device, GrainIdKeyExtensions.CreateIntegerKey(-5));
        GrainId sameNumberOtherType = GrainId.Create(GrainType.Create("meter"), GrainIdKeyExtensions.CreateIntegerKey(0x70B3D57ED0000001));
        string canonical = GrainIdKeyExtensions.CreateIntegerKey(0x70B3D57ED0000001).ToString();

        // A string key that parses as the same number but is not its own text (leading zeros) is another grain.
        GrainId sameNumberOtherText = GrainId.Create(device, "0" + canonical);
        GrainId text = GrainId.Create(device, "SL-1");

        GrainId[] ids = [deviceA, deviceB, sameNumberOtherType, sameNumberOtherText, text];
        for (int i = 0; i < ids.Length; i++)
        {
            await storage.WriteStateAsync("device", ids[i], Lamp(100 + i));
        }

        Assert.Equal(ids.Length, storage.Count);
        for (int i = 0; i < ids.Length; i++)
        {
            var read = new GrainState<StreetlightState>(new StreetlightState());
            await storage.ReadStateAsync("device", ids[i], read);
            Assert.True(read.RecordExists, ids[i].ToString());
            Assert.Equal(100 + i, read.State!.EnergyWh.Value);
            Assert.Equal("1", read.ETag);
        }

        // Versions, stale writes and clearing work the same for the integer-keyed rows.
        GrainState<StreetlightState> again = Lamp(300, etag: "1");
        await storage.WriteStateAsync("device", deviceA, again);
        Assert.Equal("2", again.ETag);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("device", deviceA, Lamp(301, etag: "1")));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("device", deviceB, Lamp(302)));
        await storage.ClearStateAsync("device", deviceA, again);
        Assert.Equal(ids.Length - 1, storage.Count);

        var cleared = new GrainState<StreetlightState>(new StreetlightState());
        await storage.ReadStateAsync("device", deviceA, cleared);
        Assert.False(cleared.RecordExists);
        var other = new GrainState<StreetlightState>(new StreetlightState());
        await storage.ReadStateAsync("device", sameNumberOtherType, other);
        Assert.Equal(102, other.State!.EnergyWh.Value);
    }

    [Fact]
    public async Task A_twins_commands_desired_values_log_keys_and_holds_are_stored_and_read_back()
    {
        LocalGrainStorage storage = NewStorage();
        DateTime at = new(2026, 11, 28, 6, 0, 0, DateTimeKind.Utc);
        GrainState<StreetlightState> written = Lamp(100);
        StreetlightState lamp = written.State!;
        lamp.Desired = [new DesiredValue(TwinProperty.DimLevel, PropertyValue.Of(80), "azerishig", at)];
        lamp.Commands = [new CommandInfo("c-1", "dim", CommandStatus.Sent, "azerishig", at, at, at.AddHours(1), [Reading.Of(TwinProperty.DimLevel, 80)])];
        lamp.Log = [new DeviceLogEntry(at, "warning", "lamp", "lamp fault")];
        lamp.Idempotency = [new IdempotencyRecord("k-1", "azerishig", "c-1", at)];
        lamp.Holds = [new RuleHold("incident-brighten", TwinProperty.DimLevel, PropertyValue.Of(40), "azerishig", at.AddMinutes(30))];
        await storage.WriteStateAsync("twin", Twin, written);

        var read = new GrainState<StreetlightState>(new StreetlightState());
        await storage.ReadStateAsync("twin", Twin, read);

        StreetlightState back = read.State!;
        Assert.Equal(lamp.Desired, back.Desired);
        Assert.Equal("c-1", Assert.Single(back.Commands!).Id);
        Assert.Equal(lamp.Log, back.Log);
        Assert.Equal(lamp.Idempotency, back.Idempotency);
        Assert.Equal(lamp.Holds, back.Holds);
        Assert.Equal(100, back.EnergyWh.Value);

        // Clearing one list leaves the others.
        back.Commands = null;
        Assert.Null(back.Commands);
        Assert.NotNull(back.Holds);
    }

    [Fact]
    public void A_twin_without_commands_or_holds_reads_none_and_clearing_them_keeps_none()
    {
        var lamp = new StreetlightState();
        lamp.Commands = null;
        lamp.Holds = null;

        Assert.Null(lamp.Desired);
        Assert.Null(lamp.Commands);
        Assert.Null(lamp.Log);
        Assert.Null(lamp.Idempotency);
        Assert.Null(lamp.Holds);
    }

    [Theory]
    [InlineData("Nizami 1")]
    [InlineData("Nizami küçəsi 12, işıq dirəyi 3")]
    [InlineData("Bakı 🚏 28 May")]
    [InlineData("lone \ud800 surrogate")]
    [InlineData("")]
    [InlineData(null)]
    public async Task A_twins_name_comes_back_as_it_was_whatever_its_letters(string? name)
    {
        LocalGrainStorage storage = NewStorage();
        GrainState<StreetlightState> written = Lamp(1);
        written.State!.Name = name;
        Assert.Equal(name, written.State.Name);
        await storage.WriteStateAsync("twin", Twin, written);

        var read = new GrainState<StreetlightState>(new StreetlightState());
        await storage.ReadStateAsync("twin", Twin, read);

        Assert.Equal(name, read.State!.Name);
    }
}
