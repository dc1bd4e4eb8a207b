using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using TwinCity.Grains.Interfaces;
using TwinCity.Grains.Interfaces.Cells;
using TwinCity.Grains.Interfaces.Commands;
using TwinCity.Grains.Interfaces.Rules;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Cells;

/// <summary>
/// One cell of the city grid: the latest summary of each twin in it (kept compact, see
/// <see cref="CellTwin"/>), and the silos watching it.
/// Changes go once per watching silo, never to silos without a viewer here: a change that comes
/// after a quiet spell goes at once, and changes that follow it within the batch window wait for
/// the window's end and go as one batch.
/// </summary>
[KeepAlive]
public sealed class CellGrain : Grain, ICellGrain
{
    /// <summary>How long a rule's command may take to reach its device.</summary>
    private static readonly TimeSpan RuleTtl = TimeSpan.FromMinutes(10);

    private readonly Dictionary<TwinKey, CellTwin> _twins = [];
    private readonly Dictionary<TwinKey, TwinSummary> _pending = [];
    private readonly ObserverSet<ICellObserver> _observers;
    private readonly CellOptions _options;
    private readonly TimeProvider _time;
    private readonly ICellUpdates _updates;

    /// <summary>When the last batch went (a <see cref="TimeProvider.GetTimestamp"/>); 0 before the first.</summary>
    private long _lastFlush;
    private IGrainTimer? _flush;
    private bool _registered;

    public CellGrain(IOptions<CellOptions> options, TimeProvider time, ICellUpdates updates)
    {
        _options = options.Value;
        _time = time;
        _updates = updates;
        _observers = new ObserverSet<ICellObserver>(time, _options.ObserverLease);
    }

    private long Cell => this.GetPrimaryKeyLong();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A cell knows only what twins tell it. One that activates again after its silo was lost
        // would otherwise miss every twin living on elsewhere until that twin's next change.
        _updates.CellActivated(Cell);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _updates.CellDeactivated(Cell);
        return Task.CompletedTask;
    }

    public Task UpdateAsync(TwinSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        Update(summary);
        return Task.CompletedTask;
    }

    public Task LeaveAsync(TwinSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        Leave(summary);
        return Task.CompletedTask;
    }

    public Task ApplyChangesAsync(CellChange[] changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        foreach (CellChange change in changes)
        {
            if (change.Summary is null)
            {
                continue;
            }

            if (change.Leaves)
            {
                Leave(change.Summary);
            }
            else
            {
                Update(change.Summary);
            }
        }

        return Task.CompletedTask;
    }

    public ValueTask<SiloAddress> HostAsync() =>
        ValueTask.FromResult(GrainContext.Address.SiloAddress ?? throw new InvalidOperationException("An active cell has a silo"));

    private void Update(TwinSummary summary)
    {
        ref CellTwin known = ref CollectionsMarshal.GetValueRefOrNullRef(_twins, summary.Key);
        if (Unsafe.IsNullRef(ref known))
        {
            _twins.AddLean(summary.Key, CellTwin.From(summary));
        }
        else if (known.Version > summary.Version)
        {
            // Changes can overtake each other (one-way messages, relayed batches); an older summary must not replace a newer one.
            return;
        }
        else
        {
            known = CellTwin.From(summary, known);
        }

        if (!_registered)
        {
            _registered = true;
            _updates.CellRegistered(Cell);
            GrainFactory.Grain<ICityGrain>(0).AddCellAsync(Cell).Ignore();
        }

        Queue(summary);
    }

    private void Leave(TwinSummary summary)
    {
        if (_twins.TryGetValue(summary.Key, out CellTwin known) && known.Version <= summary.Version)
        {
            _twins.Remove(summary.Key);
            Queue(summary);
        }
    }

    public ValueTask<TwinSummary[]> GetTwinsAsync()
    {
        var twins = new TwinSummary[_twins.Count];
        int i = 0;
        foreach ((TwinKey key, CellTwin twin) in _twins)
        {
            twins[i++] = twin.ToSummary(key);
        }

        return ValueTask.FromResult(twins);
    }

    public ValueTask<TwinSummary[]> GetPageAsync(TwinPageQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit < 1)
        {
            return ValueTask.FromResult(Array.Empty<TwinSummary>());
        }

        // The Limit smallest matching keys, kept in a heap whose top is the largest of them: one pass
        // over the cell, never a sort of all it holds.
        var largestFirst = Comparer<TwinKey>.Create((a, b) => TwinKeyOrder.Instance.Compare(b, a));
        var kept = new PriorityQueue<TwinKey, TwinKey>(largestFirst);
        foreach ((TwinKey key, CellTwin twin) in _twins)
        {
            if (!query.Matches(key, twin.Status, twin.Position))
            {
                continue;
            }

            if (kept.Count < query.Limit)
            {
                kept.Enqueue(key, key);
            }
            else if (TwinKeyOrder.Instance.Compare(key, kept.Peek()) < 0)
            {
                kept.EnqueueDequeue(key, key);
            }
        }

        var page = new TwinSummary[kept.Count];
        for (int i = page.Length - 1; i >= 0; i--)
        {
            TwinKey key = kept.Dequeue();
            page[i] = _twins[key].ToSummary(key);
        }

        return ValueTask.FromResult(page);
    }

    public ValueTask<CellStats> GetStatsAsync()
    {
        int[] counts = new int[CellStats.Kinds * CellStats.Statuses];
        foreach ((TwinKey key, CellTwin twin) in _twins)
        {
            counts[CellStats.Index((int)key.Kind, (int)twin.Status)]++;
        }

        return ValueTask.FromResult(new CellStats(counts));
    }

    public Task SubscribeAsync(ICellObserver observer)
    {
        _observers.Add(observer);
        return Task.CompletedTask;
    }

    public Task UnsubscribeAsync(ICellObserver observer)
    {
        _observers.Remove(observer);
        return Task.CompletedTask;
    }

    public Task NotifyRuleFiredAsync(RuleFiredNotice notice)
    {
        long cell = Cell;
        _observers.Notify(o => o.RuleFired(cell, notice).Ignore());
        return Task.CompletedTask;
    }

    public ValueTask<TwinKey[]> ApplyRuleEffectAsync(RuleEffectRequest request)
    {
        var targets = new List<TwinKey>();
        foreach ((TwinKey key, CellTwin twin) in _twins)
        {
            if (key.Kind != request.Kind || CellGrid.CellOf(twin.Position) != Cell || !request.Area.Contains(twin.Position) || !OnRoute(twin, request.Routes))
            {
                continue;
            }

            targets.Add(key);
            var command = new CommandRequest(
                request.Command, request.Sets, RuleDefinition.RequesterPrefix + request.RuleId, RuleTtl, request.ArgsJson,
                RuleId: request.RuleId, HoldUntil: request.HoldUntil, ChainDepth: request.ChainDepth);
            GrainFactory.GetTwin(key.Kind, key.Id).IssueCommandAsync(command).Ignore();
        }

        return ValueTask.FromResult(targets.ToArray());
    }

    private static bool OnRoute(in CellTwin twin, string[]? routes)
    {
        if (routes is null)
        {
            return true;
        }

        return twin.Get(TwinProperty.Route) is { } route && routes.Contains(route.AsText, StringComparer.Ordinal);
    }

    private void Queue(TwinSummary summary)
    {
        if (_observers.Count == 0)
        {
            return;
        }

        _pending[summary.Key] = summary;
        if (_flush is not null)
        {
            // A batch is due at the end of the window: this change goes with it.
            return;
        }

        TimeSpan sinceLast = _lastFlush == 0 ? TimeSpan.MaxValue : _time.GetElapsedTime(_lastFlush);
        if (sinceLast >= _options.BatchWindow)
        {
            // Nothing went within the window: no batch to wait for, so the viewers see this change now.
            Flush();
            return;
        }

        _flush = this.RegisterGrainTimer(FlushAsync, new GrainTimerCreationOptions(_options.BatchWindow - sinceLast, Timeout.InfiniteTimeSpan));
    }

    private Task FlushAsync(CancellationToken cancellationToken)
    {
        _flush?.Dispose();
        _flush = null;
        Flush();
        return Task.CompletedTask;
    }

    private void Flush()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        TwinSummary[] batch = [.. _pending.Values];
        _pending.Clear();
        _lastFlush = _time.GetTimestamp();
        long cell = Cell;
        _observers.Notify(o => o.CellChanged(cell, batch).Ignore());
    }
}
