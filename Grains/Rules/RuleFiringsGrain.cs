using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TwinCity.Grains.Interfaces.Rules;

namespace TwinCity.Grains.Rules;

/// <summary>
/// The recent firings of one rule, newest last, bounded by <c>Rules:FiringsKept</c>. They are stored
/// (in cluster mode, in PostgreSQL), so what a rule did is still there after the silo that held
/// this grain is gone. A burst of firings is written once, a moment after it ends, not once per firing.
/// </summary>
[KeepAlive]
public sealed partial class RuleFiringsGrain : Grain, IRuleFiringsGrain
{
    private static readonly TimeSpan WriteDelay = TimeSpan.FromSeconds(1);

    private readonly IPersistentState<RuleFiringsState> _store;
    private readonly ILogger<RuleFiringsGrain> _logger;
    private readonly int _kept;
    private IGrainTimer? _writeTimer;
    private bool _writeArmed;
    private bool _dirty;

    public RuleFiringsGrain(
        [PersistentState("rule-firings", TwinStorage.Registry)] IPersistentState<RuleFiringsState> store,
        IOptions<RulesOptions> options,
        ILogger<RuleFiringsGrain> logger)
    {
        _store = store;
        _logger = logger;
        _kept = Math.Max(1, options.Value.FiringsKept);
    }

    private List<RuleFiring> Firings => _store.State.Firings;

    public Task RecordAsync(RuleFiring firing)
    {
        // Firings come one-way from twins on any silo, not always in the order they happened: keep them in time order.
        int at = Firings.Count;
        while (at > 0 && Firings[at - 1].At > firing.At)
        {
            at--;
        }

        Firings.Insert(at, firing);
        if (Firings.Count > _kept)
        {
            Firings.RemoveRange(0, Firings.Count - _kept);
        }

        ArrangeWrite(WriteDelay);
        return Task.CompletedTask;
    }

    public ValueTask<RuleFiring[]> ListAsync(int limit) =>
        ValueTask.FromResult(Enumerable.Reverse(Firings).Take(Math.Max(0, limit)).ToArray());

    public async Task ClearAsync()
    {
        Firings.Clear();
        _dirty = false;
        await _store.ClearStateAsync();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_dirty)
        {
            await WriteAsync(cancellationToken);
        }
    }

    /// <summary>
    /// One timer, re-armed rather than replaced: disposing a grain timer from its own callback would
    /// cancel the token the write is running under.
    /// </summary>
    private void ArrangeWrite(TimeSpan due)
    {
        _dirty = true;
        if (_writeTimer is null)
        {
            _writeTimer = this.RegisterGrainTimer(WriteAsync, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        }
        else if (!_writeArmed)
        {
            _writeTimer.Change(due, Timeout.InfiniteTimeSpan);
        }

        _writeArmed = true;
    }

    private async Task WriteAsync(CancellationToken cancellationToken)
    {
        _writeArmed = false;
        if (!_dirty)
        {
            return;
        }

        _dirty = false;
        try
        {
            await _store.WriteStateAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            // Keep the firings in memory and try again shortly; the rule's effects do not wait on this record.
            LogWriteFailed(ex, this.GetPrimaryKeyString());
            _dirty = true;
            if (!cancellationToken.IsCancellationRequested)
            {
                ArrangeWrite(WriteDelay * 5);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The firings of rule {Rule} could not be stored; trying again")]
    private partial void LogWriteFailed(Exception exception, string rule);
}
