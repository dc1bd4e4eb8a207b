using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using TwinCity.Grains.Cells;
using TwinCity.Grains.Interfaces.Cells;
using TwinCity.Grains.Interfaces.Rules;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Tests.Cells;

/// <summary>
/// How a cell sends changes to the silos watching it, on a silo of its own whose batch window is
/// 5 s: a change after a quiet spell goes at once rather than waiting out a window, and the changes
/// that follow it within the window go together as the next batch.
/// </summary>
public sealed class CellBatchingTests : OwnSiloTests<CellBatchingTests.LongWindow>
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_change_after_a_quiet_spell_goes_at_once_and_those_right_after_it_go_as_one_batch()
    {
        var position = new GeoPoint(40.3951, 49.8451);
        ICellGrain cell = Cluster.GrainFactory.GetGrain<ICellGrain>(CellGrid.CellOf(position));
        var watcher = new Watcher();
        ICellObserver reference = Cluster.Client.CreateObjectReference<ICellObserver>(watcher);
        await cell.SubscribeAsync(reference);

        var clock = Stopwatch.StartNew();
        await cell.UpdateAsync(Lamp("SL-A", 1, position));
        (TimeSpan firstAt, TwinSummary[] first) = await watcher.NextAsync();
        Assert.Equal(["SL-A"], first.Select(s => s.Id));
        Assert.True(firstAt < Window, $"the first change waited {firstAt.TotalSeconds:0.0} s, as long as a batch window");

        // Within the window after that batch: these wait for its end and go together.
        await cell.UpdateAsync(Lamp("SL-B", 1, position));
        await cell.UpdateAsync(Lamp("SL-C", 1, position));
        await cell.UpdateAsync(Lamp("SL-B", 2, position));
        (_, TwinSummary[] second) = await watcher.NextAsync();
        Assert.Equal(["SL-B", "SL-C"], second.Select(s => s.Id).Order());
        Assert.Equal(2, second.Single(s => s.Id == "SL-B").Version);
        Assert.Equal(0, watcher.Waiting);

        // Once a quiet spell longer than the window has passed, a change goes at once again.
        await Task.Delay(Window + TimeSpan.FromSeconds(1));
        TimeSpan sent = clock.Elapsed;
        await cell.UpdateAsync(Lamp("SL-D", 1, position));
        (TimeSpan thirdAt, TwinSummary[] third) = await watcher.NextAsync();
        Assert.Equal(["SL-D"], third.Select(s => s.Id));
        Assert.True(thirdAt - sent < Window, $"a change after a quiet spell waited {(thirdAt - sent).TotalSeconds:0.0} s");

        GC.KeepAlive(watcher);
        Cluster.Client.DeleteObjectReference<ICellObserver>(reference);

        TwinSummary Lamp(string id, long version, GeoPoint at) =>
            new(TwinKind.Streetlight, id, version, at, TwinStatus.Online, [Reading.Of(TwinProperty.DimLevel, 40 + version)], DateTime.UtcNow);
    }

    private sealed class Watcher : ICellObserver
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly ConcurrentQueue<(TimeSpan At, TwinSummary[] Changes)> _batches = new();

        public int Waiting => _batches.Count;

        public Task CellChanged(long cell, TwinSummary[] changes)
        {
            _batches.Enqueue((_clock.Elapsed, changes));
            return Task.CompletedTask;
        }

        public Task RuleFired(long cell, RuleFiredNotice notice) => Task.CompletedTask;

        /// <summary>The next batch and when it arrived (since this watcher was made, which is when the test's clock starts too).</summary>
        public async Task<(TimeSpan At, TwinSummary[] Changes)> NextAsync()
        {
            DateTime deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                if (_batches.TryDequeue(out (TimeSpan At, TwinSummary[] Changes) batch))
                {
                    return batch;
                }

                Assert.True(DateTime.UtcNow < deadline, "no batch came from the cell");
                await Task.Delay(20);
            }
        }
    }

    public sealed class LongWindow : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            ClusterFixture.AddTestGrains(siloBuilder);
            siloBuilder.Services.Configure<CellOptions>(o => o.BatchWindow = Window);
        }
    }
}
