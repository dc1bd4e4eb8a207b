using TwinCity.Grains.History;
using TwinCity.Grains.Interfaces.History;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Tests.History;

public sealed class InMemoryHistoryTests
{
    private static readonly DateTime T0 = new(2026, 11, 28, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task A_record_reads_back_as_it_was_written_with_its_readings_and_radio()
    {
        var history = new InMemoryHistory(capacity: 10);
        var record = new HistoryRecord(TwinKind.Streetlight, "SL-1", 0x70B3D57ED0000001, 7, T0,
            [Reading.Of(TwinProperty.DimLevel, 40), Reading.Of(TwinProperty.On, true)], new RadioInfo(-97, 7.5, "AA555A0000000101"));
        var bare = new HistoryRecord(TwinKind.Streetlight, "SL-1", 0x70B3D57ED0000001, 8, T0.AddSeconds(1), [], new RadioInfo(null, null, null));
        var noRadio = new HistoryRecord(TwinKind.Streetlight, "SL-1", 0x70B3D57ED0000001, 9, T0.AddSeconds(2), [Reading.Of(TwinProperty.DimLevel, 60)], null);

        await history.AppendAsync(record);
        await history.AppendAsync(bare);
        await history.AppendAsync(noRadio);

        IReadOnlyList<HistoryRecord> read = await history.ReadSinceAsync(TwinKind.Streetlight, "SL-1", T0, CancellationToken.None);
        Assert.Equal(3, read.Count);
        Assert.Equal(record with { Values = [] }, read[0] with { Values = [] });
        Assert.Equal(record.Values, read[0].Values);
        Assert.Equal(bare.Radio, read[1].Radio);
        Assert.Empty(read[1].Values);
        Assert.Null(read[2].Radio);
        Assert.Equal(noRadio.Values, read[2].Values);
    }

    [Fact]
    public async Task Queries_pick_the_twin_and_the_time_window_newest_first_up_to_the_limit()
    {
        var history = new InMemoryHistory(capacity: 100);
        for (uint f = 1; f <= 20; f++)
        {
            await history.AppendAsync(Record("SL-1", f));
            await history.AppendAsync(Record("SL-2", f));
        }

        IReadOnlyList<HistoryRecord> window = await history.QueryAsync(TwinKind.Streetlight, "SL-2", T0.AddSeconds(5), T0.AddSeconds(15), 4, CancellationToken.None);
        Assert.Equal([15u, 14u, 13u, 12u], window.Select(r => r.FCnt));
        Assert.All(window, r => Assert.Equal("SL-2", r.TwinId));
        Assert.Empty(await history.QueryAsync(TwinKind.WaterMeter, "SL-2", T0, T0.AddHours(1), 10, CancellationToken.None));
    }

    [Fact]
    public async Task The_ring_keeps_the_latest_records_and_each_keeps_its_own_readings_however_many_they_carry()
    {
        // Few readings of room at first: records with many readings make the ring grow rather than
        // overwrite readings of records it still holds.
        var history = new InMemoryHistory(capacity: 50, initialReadings: 16);
        for (uint f = 1; f <= 400; f++)
        {
            await history.AppendAsync(Record("SL-1", f, readings: (int)(f % 7) + 1));
        }

        IReadOnlyList<HistoryRecord> kept = await history.ReadSinceAsync(TwinKind.Streetlight, "SL-1", T0, CancellationToken.None);
        Assert.Equal(Enumerable.Range(351, 50).Select(f => (uint)f), kept.Select(r => r.FCnt));
        foreach (HistoryRecord r in kept)
        {
            Assert.Equal(Record("SL-1", r.FCnt, readings: (int)(r.FCnt % 7) + 1).Values, r.Values);
        }

        // 50 records of at most 7 readings need at most 350 places; the array doubled up from 16.
        Assert.InRange(history.ReadingCapacity, 256, 512);
    }

    [Fact]
    public async Task A_large_history_spreads_twins_over_rings_and_keeps_each_twins_latest_records_up_to_the_capacity()
    {
        const int Capacity = 2 * InMemoryHistory.RecordsPerRing;
        const int Twins = 97;
        var history = new InMemoryHistory(capacity: Capacity);
        Assert.Equal(2, history.Rings);

        // Three times the capacity, round robin over the twins: a ring drops its oldest records first.
        const int Sent = 3 * Capacity;
        for (int i = 0; i < Sent; i++)
        {
            await history.AppendAsync(Record($"SL-{i % Twins}", (uint)(1 + (i / Twins))));
        }

        int kept = 0;
        for (int t = 0; t < Twins; t++)
        {
            IReadOnlyList<HistoryRecord> records = await history.ReadSinceAsync(TwinKind.Streetlight, $"SL-{t}", DateTime.MinValue, CancellationToken.None);
            Assert.NotEmpty(records);
            // Its newest frame, and the ones before it without a gap.
            uint last = (uint)(1 + ((Sent - 1 - t) / Twins));
            Assert.Equal(Enumerable.Range((int)last - records.Count + 1, records.Count).Select(f => (uint)f), records.Select(r => r.FCnt));
            kept += records.Count;
        }

        Assert.Equal(Capacity, kept);
    }

    [Fact]
    public void A_small_history_is_one_ring()
    {
        Assert.Equal(1, new InMemoryHistory(capacity: (2 * InMemoryHistory.RecordsPerRing) - 1).Rings);
        Assert.Equal(InMemoryHistory.MaxRings, new InMemoryHistory().Rings);
    }

    private static HistoryRecord Record(string twin, uint fCnt, int readings = 1) =>
        new(TwinKind.Streetlight, twin, 0x70B3D57ED0000001, fCnt, T0.AddSeconds(fCnt),
            [.. Enumerable.Range(0, readings).Select(i => Reading.Of(TwinProperty.EnergyWh, (fCnt * 100) + i))], new RadioInfo(-100 - (int)(fCnt % 10), 5, "AA555A0000000101"));
}
