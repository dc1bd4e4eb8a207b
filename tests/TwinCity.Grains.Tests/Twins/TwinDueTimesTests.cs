using System.Collections.Concurrent;
using System.Reflection;
using TwinCity.Grains.Twins;

namespace TwinCity.Grains.Tests.Twins;

public sealed class TwinDueTimesTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>The twins here note the call themselves; a real twin sends itself a message through the factory.</summary>
    private static readonly IGrainFactory NoGrains = DispatchProxy.Create<IGrainFactory, Unused>();

    [Fact]
    public async Task Twins_are_called_in_due_order_once_their_time_has_come()
    {
        using var queue = new TwinDueTimes(TimeProvider.System, NoGrains);
        var calls = new ConcurrentQueue<int>();
        DateTime now = DateTime.UtcNow;
        var twins = Enumerable.Range(0, 50).Select(i => new Twin(i, calls)).ToArray();

        // Queued out of order; each is due 20 ms after the one before.
        foreach (Twin twin in twins.Reverse())
        {
            queue.Schedule(twin, now.AddMilliseconds(100 + (20 * twin.Number)));
        }

        Assert.Equal(50, queue.Count);
        await WaitUntilAsync(() => calls.Count == 50);

        Assert.Equal(Enumerable.Range(0, 50), calls);
        Assert.All(twins, t => Assert.True(t.CalledAt >= now.AddMilliseconds(100 + (20 * t.Number)), $"twin {t.Number} was called before its time"));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task A_cancelled_twin_is_not_called_and_a_moved_one_is_called_at_its_new_time()
    {
        using var queue = new TwinDueTimes(TimeProvider.System, NoGrains);
        var calls = new ConcurrentQueue<int>();
        DateTime now = DateTime.UtcNow;
        var cancelled = new Twin(1, calls);
        var later = new Twin(2, calls);
        var sooner = new Twin(3, calls);
        var marker = new Twin(4, calls);
        queue.Schedule(cancelled, now.AddMilliseconds(100));
        queue.Schedule(later, now.AddMilliseconds(100));
        queue.Schedule(sooner, now.AddHours(1));
        queue.Schedule(marker, now.AddMilliseconds(600));

        queue.Cancel(cancelled);
        queue.Cancel(cancelled);
        queue.Schedule(later, now.AddMilliseconds(400));
        queue.Schedule(sooner, now.AddMilliseconds(200));
        Assert.Equal(3, queue.Count);

        await WaitUntilAsync(() => calls.Count == 3);
        await Task.Delay(100);

        Assert.Equal([3, 2, 4], calls);
        Assert.True(later.CalledAt >= now.AddMilliseconds(400), "a twin moved later must not be called at its old time");
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task A_twin_due_in_the_past_is_called_at_once_and_can_be_queued_again()
    {
        using var queue = new TwinDueTimes(TimeProvider.System, NoGrains);
        var calls = new ConcurrentQueue<int>();
        var twin = new Twin(7, calls);
        queue.Schedule(twin, DateTime.UtcNow.AddMinutes(-1));
        await WaitUntilAsync(() => calls.Count == 1);

        queue.Schedule(twin, DateTime.UtcNow.AddMilliseconds(50));
        await WaitUntilAsync(() => calls.Count == 2);
        Assert.Equal([7, 7], calls);
    }

    [Fact]
    public void Many_twins_keep_the_heap_in_order_through_random_moves_and_cancels()
    {
        using var queue = new TwinDueTimes(TimeProvider.System, NoGrains);
        var random = new Random(42);
        var calls = new ConcurrentQueue<int>();
        DateTime far = DateTime.UtcNow.AddDays(1);
        var twins = Enumerable.Range(0, 2000).Select(i => new Twin(i, calls)).ToArray();
        var queued = new Dictionary<Twin, long>();
        for (int round = 0; round < 20_000; round++)
        {
            Twin twin = twins[random.Next(twins.Length)];
            if (random.Next(4) == 0)
            {
                queue.Cancel(twin);
                queued.Remove(twin);
            }
            else
            {
                DateTime due = far.AddSeconds(random.Next(100_000));
                queue.Schedule(twin, due);
                queued[twin] = due.Ticks;
            }

            Assert.Equal(queued.Count, queue.Count);
        }

        foreach ((Twin twin, long ticks) in queued)
        {
            Assert.Equal(ticks, ((IDueTwin)twin).DueTicks);
            Assert.True(((IDueTwin)twin).DueSlot >= 0);
        }

        Assert.Empty(calls);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(Patience);
        while (!condition())
        {
            await Task.Delay(10, cts.Token);
        }
    }

    private sealed class Twin(int number, ConcurrentQueue<int> calls) : IDueTwin
    {
        public int Number => number;

        public DateTime CalledAt { get; private set; }

        public int DueSlot { get; set; } = -1;

        public long DueTicks { get; set; }

        public void OnDue(IGrainFactory grains)
        {
            CalledAt = DateTime.UtcNow;
            calls.Enqueue(number);
        }
    }

    /// <summary>A grain factory that must not be used.</summary>
    public class Unused : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            throw new InvalidOperationException($"{targetMethod?.Name} was not expected");
    }
}
