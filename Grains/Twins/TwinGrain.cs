using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime.Placement;
using Orleans.Storage;
using TwinCity.Grains.Cells;
using TwinCity.Grains.Interfaces;
using TwinCity.Grains.Interfaces.Cells;
using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Grains.Interfaces.History;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Twins;

/// <summary>
/// The behaviour every twin shares: binding to a device, applying uplinks exactly once,
/// connectivity, desired values and lazy snapshots. Each kind is a small sealed subclass with
/// its own typed state.
/// </summary>
public abstract partial class TwinGrain<TState> : Grain, ITwinGrain, ITwinHousekeepingGrain, ITwinChangeContext, IDueTwin, ICellMember, IGrainState<TState>
    where TState : TwinState, new()
{
    private const int MaxLogEntries = 5;

    /// <summary>The least time between two requests of a twin to move to the silo that owns its device.</summary>
    private static readonly TimeSpan MoveAgainAfter = TimeSpan.FromSeconds(5);

    /// <summary>How long past its offline deadline a watched twin is kept from idle collection, so the due call finds it.</summary>
    private static readonly TimeSpan KeepAliveMargin = TimeSpan.FromMinutes(1);

    /// <summary>The name the snapshot is stored under in <see cref="TwinStorage.Name"/>.</summary>
    public const string StateName = "twin";

    // A million twins are a million of these objects: each field here costs about 8 MB, so what all
    // twins share is behind _services and what few twins need is behind _occasional.
    private readonly TwinServices _services;

    /// <summary>
    /// The snapshot is read and written through the storage provider directly, the twin itself
    /// standing as the <see cref="IGrainState{T}"/> (an injected <c>IPersistentState</c> joins each
    /// activation's lifecycle and migration, some 300 bytes per twin; a separate state holder adds 40).
    /// </summary>
    private TState _state = new();
    private string? _etag;
    private bool _recordExists;
    private int _dueSlot = -1;

    /// <summary>
    /// The rule chain depth of the change being published (0 unless a rule's command made it). Two
    /// bytes, so that it and the flag above share the last eight bytes of the object with the slot.
    /// </summary>
    private ushort _chainDepth;
    private long _dueTicks;

    /// <summary>
    /// Whether the housekeeping is queued (or its call is on its way); it is queued for
    /// <see cref="_dueTicks"/>, which the queue keeps. A flag beside the two-byte depth rather than a
    /// time of its own: eight bytes a twin.
    /// </summary>
    private bool _timerArmed;

    /// <summary>
    /// How many uplinks the twin applied since its snapshot when nothing else changed it
    /// (<see cref="BeyondHistory"/> once anything else did): in a cluster those uplinks are in the
    /// durable history and a twin that wakes replays them, so the snapshot can wait (see
    /// <see cref="TwinOptions.SnapshotAfterUplinks"/>). The last byte of the eight the slot, the depth
    /// and the flag above share, so it costs no memory.
    /// </summary>
    private byte _uplinksSinceSnapshot;

    /// <summary><see cref="_uplinksSinceSnapshot"/> when the twin changed by more than the history holds.</summary>
    private const byte BeyondHistory = byte.MaxValue;

    /// <summary>When the device counts as gone quiet unless it is heard again; default while not watched.</summary>
    private DateTime _offlineAt;
    private DateTime _dirtySince;
    private DateTime _lastChange;

    /// <summary>The cell the twin last told of itself; <see cref="NoCell"/> before it did.</summary>
    private long _cell = NoCell;
    private Occasional? _occasional;
    private string? _id;

    private const long NoCell = long.MinValue;

    protected TwinGrain(TwinServices services)
    {
        _services = services;
    }

    protected TwinOptions Options => _services.Options;

    /// <summary>
    /// The twin's id, made once: the string the silo's ingest holds for the twin's device when it
    /// holds one (<see cref="ISharedTwinIds"/>), otherwise read from the key (each read of the key
    /// makes a new string).
    /// </summary>
    protected string Id => _id ??= SharedId() ?? this.GetPrimaryKeyString();

    /// <summary>The id string the silo holds for the twin's device; null for a twin with no device yet.</summary>
    private string? SharedId() =>
        _state.DevEui != 0 ? _services.SharedIds?.Find(_state.DevEui, GrainContext.GrainId.Key.AsSpan()) : null;

    /// <summary>
    /// Points the network's name for the device at the twin's id when the two are the same text, as
    /// they are where a city names its devices after their twins in the network server (ChirpStack's
    /// device name): one string for both rather than two.
    /// </summary>
    private void ShareDeviceId()
    {
        if (_state.DeviceId is { } deviceId && string.Equals(deviceId, Id, StringComparison.Ordinal))
        {
            _state.DeviceId = Id;
        }
    }

    protected TState State => _state;

    protected DateTime Now => _services.Time.GetUtcNow().UtcDateTime;

    private bool IsDirty => _dirtySince != default;

    /// <summary>A snapshot is to be written while the twin stays active (otherwise a dirty twin writes on deactivation).</summary>
    private bool SnapshotPending => IsDirty && Options.SnapshotWhileActive;

    /// <summary>What differs from the snapshot is only uplinks the durable history holds, and not many of them.</summary>
    private bool OnlyRecordedUplinks => _uplinksSinceSnapshot < Math.Min(Options.SnapshotAfterUplinks, BeyondHistory) && _services.HistoryIsDurable;

    /// <summary>The twins' meters, when the silo registered them.</summary>
    protected TwinMetrics? Metrics => _services.Metrics;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await _services.Storage.ReadStateAsync(StateName, GrainContext.GrainId, this);
        State.ShareTexts();
        ShareDeviceId();
        Metrics?.Activated(State.Kind);
        await ReplayHistoryAsync(cancellationToken);
        if (State.Provisioned && State.LastSeen != default)
        {
            // Connectivity is judged from the last uplink, so a twin that wakes after a restart
            // learns at once whether its device went quiet meanwhile.
            EvaluateConnectivity();
        }

        if (State.Provisioned)
        {
            // Cells are a projection fed by twins: a twin that wakes tells its cell it is there.
            PublishToCell();
        }

        await ResumeCommandsAsync();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Metrics?.Deactivated(State.Kind);
        if (_cell != NoCell)
        {
            _services.Cells.TwinDeparted(this, _cell);
        }

        DueTimes.Cancel(this);
        _timerArmed = false;
        if (IsDirty && (Options.SnapshotOnShutdown || reason.ReasonCode != DeactivationReasonCode.ShuttingDown))
        {
            await WriteSnapshotNowAsync();
        }
    }

    public async Task ProvisionAsync(TwinProvision provision)
    {
        TState s = State;
        if (s.DevEui != provision.DevEui)
        {
            // A new device on this twin (hardware swapped): its counters start afresh, and so does
            // the application it is heard in (a device moved to another one is deleted and provisioned again).
            s.HasFCnt = false;
            s.FCnt = 0;
            s.Source = NetworkServer.Unknown;
            s.ApplicationId = null;
            s.DeviceId = null;
        }

        bool first = !s.Provisioned;
        s.DevEui = provision.DevEui;
        s.Name = provision.Name;
        s.Installed = provision.Position;
        s.ReportingIntervalSeconds = Math.Max(1, provision.ReportingIntervalSeconds);
        s.Provisioned = true;
        s.Codec = SharedStrings.Get(provision.Codec);
        s.Revision = provision.Revision;
        OnProvisioned(provision);
        Touch();
        await WriteSnapshotAsync();
        if (first && _services.Directory is { } directory)
        {
            await directory.AddAsync(GrainContext.GrainId);
        }

        await OnChangedAsync();
    }

    public async Task UnbindAsync(ulong devEui)
    {
        if (State.DevEui != devEui)
        {
            return;
        }

        State.DevEui = 0;
        Touch();
        await WriteSnapshotAsync();
        await OnChangedAsync();
    }

    public async ValueTask<UplinkOutcome> UplinkAsync(Uplink uplink)
    {
        UplinkOutcome outcome = ApplyUplink(uplink, live: true);
        if (outcome != UplinkOutcome.Applied)
        {
            return outcome;
        }

        if (uplink.Via is { } via)
        {
            FollowIngest(via);
        }

        // An empty id (an envelope may carry one) names nothing: the device grain refuses it, and asking
        // again with every uplink would only repeat the refusal.
        if (State is { Source: NetworkServer.TheThingsStack, DeviceIdRecorded: false, DeviceId: { Length: > 0 } deviceId })
        {
            RecordDeviceId(deviceId);
        }

        if (ConfirmReportedCommands())
        {
            Touch();
            await WriteSnapshotAsync();
            await ArrangeExpiryAsync();
        }
        else
        {
            TouchByUplink();
        }

        await OnChangedAsync();
        return UplinkOutcome.Applied;
    }

    /// <summary>
    /// Counts where the uplink's ingest ran, and when that was another silo (the device's owner),
    /// asks Orleans to move this twin there once it is idle, so that its next uplinks and its cell
    /// update cost no call between silos. Asked at most once per <see cref="MoveAgainAfter"/>, so that
    /// two silos briefly both taking the device for theirs (while the ring settles) cannot toss the
    /// twin back and forth.
    /// </summary>
    private void FollowIngest(SiloAddress via)
    {
        bool local = via.Equals(_services.Silo);
        Metrics?.UplinkApplied(local);
        if (!local)
        {
            MoveTowards(via);
        }
    }

    /// <summary>
    /// Hands the device id The Things Stack names the device by to the device's registration, which a
    /// cluster's wake reads to wake this twin on the silo that owns that name (where its uplinks are
    /// applied), once and again when the id changes. The uplink does not wait for it; if the call
    /// fails, the next uplink tries again.
    /// </summary>
    private void RecordDeviceId(string deviceId)
    {
        ulong devEui = State.DevEui;
        State.DeviceIdRecorded = true;
        _ = RecordAsync();

        async Task RecordAsync()
        {
            try
            {
                await GrainFactory.GetDevice(devEui).NoteNetworkDeviceIdAsync(deviceId);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                if (State.DevEui == devEui && string.Equals(State.DeviceId, deviceId, StringComparison.Ordinal))
                {
                    State.DeviceIdRecorded = false;
                }

                LogDeviceIdNotRecorded(_services.Logger, Id, ex.GetType().Name);
            }
        }
    }

    /// <summary>Asks Orleans to move this twin to <paramref name="via"/> once idle, at most once per <see cref="MoveAgainAfter"/>.</summary>
    private void MoveTowards(SiloAddress via)
    {
        Occasional more = More;
        DateTime now = Now;
        if (now - more.MoveAskedAt < MoveAgainAfter)
        {
            return;
        }

        more.MoveAskedAt = now;
        RequestContext.Set(IPlacementDirector.PlacementHintKey, via);
        try
        {
            // Its state goes with it: the snapshot is written on the way out and read on arrival.
            MigrateOnIdle();
        }
        finally
        {
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        }

        LogMoving(_services.Logger, Id, via);
    }

    /// <summary>The state change of an uplink, shared by live uplinks and by replay of the history after a snapshot.</summary>
    /// <param name="live">A live uplink (not a replay of what was applied before): its sender and counter are checked.</param>
    private UplinkOutcome ApplyUplink(Uplink uplink, bool live = false)
    {
        TState s = State;
        if (s.DevEui == 0 || s.DevEui != uplink.DevEui || (uplink.Revision != 0 && uplink.Revision < s.Revision))
        {
            // An older revision: ingest routed or decoded this by a registration that has changed since.
            return UplinkOutcome.NotBound;
        }

        if (live && s.Source != NetworkServer.Unknown && s.ApplicationId is not null && uplink.Source != NetworkServer.Unknown
            && (uplink.Source != s.Source || !NetworkApplications.Same(s.ApplicationId, uplink.ApplicationId)))
        {
            // The device is heard in another application: a network key for this one may not speak for it.
            return UplinkOutcome.OtherApplication;
        }

        if (live && s.HasFCnt && !s.JoinedSinceUplink && uplink.FCnt > s.FCnt && Options.MaxFrameCounterGap > 0 && uplink.FCnt - s.FCnt > Options.MaxFrameCounterGap)
        {
            // Nothing is kept of it, so the device's next real frame applies as if this one never came.
            return UplinkOutcome.FrameCounterJump;
        }

        DateTime at = uplink.MeasuredAt == default ? Now : uplink.MeasuredAt;
        if (s.HasFCnt && uplink.FCnt <= s.FCnt && !s.JoinedSinceUplink)
        {
            if (!FrameWindow.TryMarkLate(ref s.SeenBelow, s.FCnt, uplink.FCnt))
            {
                return UplinkOutcome.Duplicate;
            }

            // A late frame: it fills in what it measured, but never overwrites a newer reading.
            foreach (Reading reading in uplink.Values)
            {
                if (s.GetReported(reading.Property) is not { } held || at > held.At)
                {
                    s.Apply(reading, at);
                }
            }
        }
        else
        {
            s.SeenBelow = s.HasFCnt && !s.JoinedSinceUplink ? FrameWindow.Advance(s.SeenBelow, s.FCnt, uplink.FCnt) : 0;
            s.FCnt = uplink.FCnt;
            s.HasFCnt = true;
            s.JoinedSinceUplink = false;
            foreach (Reading reading in uplink.Values)
            {
                s.Apply(reading, at);
            }

            if (uplink.Radio is not null)
            {
                s.Radio = RadioSeen.From(uplink.Radio);
            }
        }

        if (uplink.Source != NetworkServer.Unknown)
        {
            s.Source = uplink.Source;
            s.ApplicationId = SharedStrings.Get(uplink.ApplicationId);
            if (!string.Equals(s.DeviceId, uplink.DeviceId, StringComparison.Ordinal))
            {
                // Each uplink brings its own copy of the same id: the one held stays, the new one dies young.
                s.DeviceId = uplink.DeviceId;
                ShareDeviceId();
                s.DeviceIdRecorded = false;
            }
        }

        Heard(at);
        OnUplinkApplied(uplink);
        return UplinkOutcome.Applied;
    }

    /// <summary>
    /// Snapshots are written lazily, so the durable history may hold uplinks newer than the snapshot
    /// (the silo that had them died). They are applied again here; the frame counter drops what the
    /// snapshot already had.
    /// </summary>
    private async Task ReplayHistoryAsync(CancellationToken cancellationToken)
    {
        ITwinHistory? history = _services.History;
        if (history is not { IsDurable: true } || !State.Provisioned || State.DevEui == 0)
        {
            return;
        }

        DateTime since = State.LastSeen == default ? DateTime.MinValue : State.LastSeen;
        IReadOnlyList<HistoryRecord> records = await history.ReadSinceAsync(State.Kind, Id, since, cancellationToken);
        int replayed = 0;
        foreach (HistoryRecord r in records)
        {
            if (ApplyUplink(new Uplink(r.DevEui, r.FCnt, r.At, r.Values, r.Radio)) == UplinkOutcome.Applied)
            {
                State.Version++;
                replayed++;
            }
        }

        if (replayed > 0)
        {
            bool confirmed = ConfirmReportedCommands();
            State.ChangedAt = Now;
            _dirtySince = Now;
            _uplinksSinceSnapshot = confirmed ? BeyondHistory : (byte)Math.Min(replayed, BeyondHistory - 1);
            LogReplayed(_services.Logger, Id, replayed);
        }
    }

    public async ValueTask JoinedAsync(ulong devEui, DateTime at)
    {
        if (State.DevEui == 0 || State.DevEui != devEui)
        {
            return;
        }

        State.JoinedSinceUplink = true;
        Heard(at == default ? Now : at);
        Touch();
        await OnChangedAsync();
    }

    public async ValueTask DeviceStatusAsync(ulong devEui, double? batteryPct, RadioInfo? radio, DateTime at)
    {
        if (State.DevEui == 0 || State.DevEui != devEui)
        {
            return;
        }

        at = at == default ? Now : at;
        if (batteryPct is double battery)
        {
            State.Apply(Reading.Of(TwinProperty.BatteryPct, battery), at);
        }

        if (radio is not null)
        {
            State.Radio = RadioSeen.From(radio);
        }

        Heard(at);
        Touch();
        await OnChangedAsync();
    }

    public async ValueTask DeviceLogAsync(ulong devEui, DeviceLogEntry entry)
    {
        if (State.DevEui == 0 || State.DevEui != devEui)
        {
            return;
        }

        List<DeviceLogEntry> log = State.Log ??= [];
        log.Add(entry);
        if (log.Count > MaxLogEntries)
        {
            log.RemoveRange(0, log.Count - MaxLogEntries);
        }

        Touch();
        await OnChangedAsync();
    }

    public ValueTask<TwinDocument?> GetAsync() =>
        ValueTask.FromResult(State.Provisioned || State.Version > 0 ? BuildDocument() : null);

    public ValueTask WakeAsync(SiloAddress owner)
    {
        // Woken earlier elsewhere (a silo that started alone took the whole ring for a moment), it
        // follows the silo that owns its device now, as it would with its next uplink.
        if (owner is not null && !owner.Equals(_services.Silo))
        {
            MoveTowards(owner);
        }

        return ValueTask.CompletedTask;
    }

    public Task PublishToCellAsync()
    {
        if (State.Provisioned)
        {
            PublishToCell();
        }

        return Task.CompletedTask;
    }

    public async ValueTask<long> SetDesiredAsync(Reading[] values, string by)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (Reading value in values)
        {
            PropertyInfo info = PropertyCatalog.Get(value.Property);
            if (!info.AppliesTo(State.Kind))
            {
                throw new ArgumentException($"'{info.Name}' is not a property of {State.Kind.ToUrlName()}", nameof(values));
            }

            if (info.Validate(value.Value) is string problem)
            {
                throw new ArgumentException(problem, nameof(values));
            }
        }

        DateTime now = Now;
        List<DesiredValue> desired = State.Desired ??= [];
        foreach (Reading value in values)
        {
            desired.RemoveAll(d => d.Property == value.Property);
            desired.Add(new DesiredValue(value.Property, value.Value, by, now));
        }

        Touch();
        await WriteSnapshotAsync();
        await OnChangedAsync();
        return State.Version;
    }

    /// <summary>Called after a registration binds a device; kinds keep what they need of it.</summary>
    protected virtual void OnProvisioned(TwinProvision provision)
    {
    }

    /// <summary>Called after an uplink's values are applied, before the change is published.</summary>
    protected virtual void OnUplinkApplied(Uplink uplink)
    {
    }

    public Task WatchAsync(ITwinObserver observer)
    {
        (More.Watchers ??= new ObserverSet<ITwinObserver>(_services.Time, Options.WatchLease)).Add(observer);
        return Task.CompletedTask;
    }

    public Task UnwatchAsync(ITwinObserver observer)
    {
        _occasional?.Watchers?.Remove(observer);
        return Task.CompletedTask;
    }

    /// <summary>Publishes a change to whoever follows this twin: its cell (and through it the map), its watchers, the rules.</summary>
    protected virtual async ValueTask OnChangedAsync()
    {
        PublishToCell();
        if (_occasional?.Watchers is { Count: > 0 } watchers)
        {
            TwinDocument document = BuildDocument();
            watchers.Notify(w => w.TwinChanged(document).Ignore());
        }

        await RunHooksAsync();
    }

    TwinKind ITwinChangeContext.Kind => State.Kind;

    string ITwinChangeContext.Id => Id;

    GeoPoint ITwinChangeContext.Position => State.Position;

    TwinStatus ITwinChangeContext.Status => CurrentStatus();

    long ITwinChangeContext.Version => State.Version;

    DateTime ITwinChangeContext.Now => Now;

    IGrainFactory ITwinChangeContext.GrainFactory => GrainFactory;

    int ITwinChangeContext.ChainDepth => _chainDepth;

    IDictionary<string, object> ITwinChangeContext.HookState => More.HookState ??= new Dictionary<string, object>(StringComparer.Ordinal);

    ReportedValue? ITwinChangeContext.Get(TwinProperty property) => State.GetReported(property);

    void ITwinChangeContext.CallAgainAfter(TimeSpan delay)
    {
        if (delay < TimeSpan.Zero)
        {
            delay = TimeSpan.Zero;
        }

        // The re-check belongs to the chain of the change that asked for it (a condition held for a
        // while since a rule set it is still that rule's doing).
        Occasional more = More;
        more.RecheckDepth = Math.Max(more.RecheckDepth, _chainDepth);
        if (more.HookTimer is null)
        {
            more.HookTimer = this.RegisterGrainTimer(_ => RecheckAsync(), new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        }
        else
        {
            more.HookTimer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    private Task RecheckAsync()
    {
        Occasional more = More;
        int depth = more.RecheckDepth;
        more.RecheckDepth = 0;
        return AtChainDepthAsync(depth, RunHooksAsync);
    }

    /// <summary>Runs <paramref name="publish"/> with the rules seeing its change as a link <paramref name="depth"/> deep in a rule chain.</summary>
    private async Task AtChainDepthAsync(int depth, Func<Task> publish)
    {
        _chainDepth = (ushort)Math.Clamp(depth, 0, ushort.MaxValue);
        try
        {
            await publish();
        }
        finally
        {
            _chainDepth = 0;
        }
    }

    private async Task RunHooksAsync()
    {
        foreach (ITwinChangeHook hook in _services.Hooks)
        {
            try
            {
                await hook.OnTwinChangedAsync(this);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A failing rule must not stop the twin from taking uplinks.
                LogHookFailed(_services.Logger, ex, Id);
            }
        }
    }

    protected TwinSummary BuildSummary()
    {
        TState s = State;
        List<ReportedValue> reported = TwinState.RentScratch();
        s.CollectReported(reported);
        var values = new Reading[reported.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = new Reading(reported[i].Property, reported[i].Value);
        }

        TwinState.ReturnScratch(reported);
        return new TwinSummary(s.Kind, Id, s.Version, s.Position, CurrentStatus(), values, s.ChangedAt);
    }

    /// <summary>Tells the twin's cell of the change; a twin that moved leaves its old cell for the new one.</summary>
    private void PublishToCell()
    {
        GeoPoint position = State.Position;
        if (!position.IsValid)
        {
            return;
        }

        TwinSummary summary = BuildSummary();
        long cell = CellGrid.CellOf(position);
        if (_cell != cell)
        {
            if (_cell != NoCell)
            {
                _services.Cells.Leave(_cell, summary);
            }

            _services.Cells.TwinEntered(this, cell, _cell == NoCell ? null : _cell);
        }

        _cell = cell;
        _services.Cells.Update(cell, summary);
    }

    protected TwinDocument BuildDocument()
    {
        TState s = State;
        List<ReportedValue> reported = [];
        s.CollectReported(reported);
        return new TwinDocument(
            s.Kind,
            Id,
            s.DevEui == 0 ? null : DevEui.Format(s.DevEui),
            s.Name,
            s.Version,
            CurrentStatus(),
            s.LastSeen == default ? null : s.LastSeen,
            s.Position,
            reported,
            s.Desired is null ? [] : [.. s.Desired],
            s.Radio.ToInfo(),
            s.HasFCnt ? s.FCnt : null,
            s.Commands is null ? [] : [.. s.Commands],
            s.ChangedAt,
            s.ReportingIntervalSeconds,
            s.Log is null ? null : [.. s.Log]);
    }

    protected TwinStatus CurrentStatus()
    {
        if (State.LastSeen == default)
        {
            return TwinStatus.Unknown;
        }

        return Now - State.LastSeen > OfflineWindow ? TwinStatus.Offline : TwinStatus.Online;
    }

    /// <summary>Marks a change: the version rises, the change time is noted and a snapshot becomes due.</summary>
    protected void Touch()
    {
        MarkChanged();
        _uplinksSinceSnapshot = BeyondHistory;
        ArmTimer();
    }

    /// <summary>
    /// Marks the change of an applied uplink, which the history records: where the history is durable
    /// the snapshot waits for <see cref="TwinOptions.SnapshotAfterUplinks"/> of them or
    /// <see cref="TwinOptions.SnapshotMaxAge"/> (a twin that wakes replays what came after it).
    /// </summary>
    private void TouchByUplink()
    {
        bool wasDirty = IsDirty;
        MarkChanged();
        if (!wasDirty)
        {
            _uplinksSinceSnapshot = 1;
        }
        else if (_uplinksSinceSnapshot < BeyondHistory - 1)
        {
            _uplinksSinceSnapshot++;
        }

        ArmTimer();
    }

    private void MarkChanged()
    {
        DateTime now = Now;
        State.Version++;
        State.ChangedAt = now;
        _lastChange = now;
        if (!IsDirty)
        {
            _dirtySince = now;
        }
    }

    /// <summary>
    /// Writes the snapshot now, or, where snapshots are not written while active
    /// (<see cref="TwinOptions.SnapshotWhileActive"/>), leaves it for the deactivation.
    /// </summary>
    protected Task WriteSnapshotAsync()
    {
        if (Options.SnapshotWhileActive)
        {
            return WriteSnapshotNowAsync();
        }

        if (!IsDirty)
        {
            _dirtySince = Now;
        }

        _uplinksSinceSnapshot = BeyondHistory;
        return Task.CompletedTask;
    }

    /// <summary>
    /// Writes the snapshot for a change the caller is about to be told was done (a command): when the
    /// write fails, what this activation holds beyond its last snapshot is dropped (nothing more is
    /// written, the activation ends once this call returns, and the next call reads the twin again from
    /// its snapshot and history), and false tells the caller to answer that nothing was done.
    /// </summary>
    protected async Task<bool> WriteSnapshotOrDiscardAsync()
    {
        if (!Options.SnapshotWhileActive)
        {
            // Snapshots wait for the deactivation here: no change is promised durable before then.
            await WriteSnapshotAsync();
            return true;
        }

        if (await WriteSnapshotNowAsync())
        {
            return true;
        }

        _dirtySince = default;
        DeactivateOnIdle();
        return false;
    }

    /// <summary>
    /// Writes the snapshot now; false (logged, and the snapshot still due) when the store failed.
    /// </summary>
    /// <remarks>
    /// A version conflict is no passing failure: another activation of this twin wrote after this one
    /// read, so this one woke from a snapshot that is no longer the twin's and may lack what the other
    /// applied (Orleans' default grain directory lets two activations of a grain live for a moment while
    /// a silo leaves the cluster). Trying again with the same version would fail forever. This
    /// activation ends with nothing more to write (what it held beyond its snapshot is dropped); the next
    /// call wakes the twin from the newer snapshot and the durable history, which holds every uplink
    /// either activation applied and acknowledged.
    /// </remarks>
    private async Task<bool> WriteSnapshotNowAsync()
    {
        _dirtySince = default;
        _uplinksSinceSnapshot = 0;
        try
        {
            await _services.Storage.WriteStateAsync(StateName, GrainContext.GrainId, this);
            return true;
        }
        catch (InconsistentStateException ex)
        {
            LogSuperseded(_services.Logger, ex, Id);
            DeactivateOnIdle();
            return false;
        }
        catch (Exception ex)
        {
            // The snapshot stays due; the next tick or the deactivation tries again.
            _dirtySince = Now;
            _uplinksSinceSnapshot = BeyondHistory;
            LogSnapshotFailed(_services.Logger, ex, Id);
            return false;
        }
    }

    private TimeSpan OfflineWindow => TimeSpan.FromSeconds(Math.Max(1, State.ReportingIntervalSeconds) * Options.OfflineFactor);

    /// <summary>
    /// When a dirty twin writes its snapshot: once quiet for a while, and never later than ten quiet
    /// periods; when all it holds beyond the snapshot is a few uplinks the durable history has, after
    /// <see cref="TwinOptions.SnapshotMaxAge"/> (or sooner, once <see cref="TwinOptions.SnapshotAfterUplinks"/> came).
    /// </summary>
    private DateTime SnapshotDueAt
    {
        get
        {
            if (OnlyRecordedUplinks)
            {
                return _dirtySince + Options.SnapshotMaxAge;
            }

            DateTime quiet = _lastChange + Options.SnapshotQuietPeriod;
            DateTime overdue = _dirtySince + (Options.SnapshotQuietPeriod * 10);
            return quiet < overdue ? quiet : overdue;
        }
    }

    private void Heard(DateTime at)
    {
        if (at > State.LastSeen)
        {
            State.LastSeen = at;
        }

        if (State.Status != TwinStatus.Online)
        {
            State.Status = TwinStatus.Online;
        }

        if (_offlineAt == default)
        {
            // Later uplinks need not move the deadline: the tick looks at the last one and waits on.
            _offlineAt = State.LastSeen + OfflineWindow;
            KeepAliveUntilOffline();
            ArmTimer();
        }
    }

    private TwinDueTimes DueTimes => _services.DueTimes;

    int IDueTwin.DueSlot
    {
        get => _dueSlot;
        set => _dueSlot = value;
    }

    long IDueTwin.DueTicks
    {
        get => _dueTicks;
        set => _dueTicks = value;
    }

    void ICellMember.PublishAgain(IGrainFactory grains) => grains.Grain<ITwinGrain>(GrainContext.GrainId).PublishToCellAsync().Ignore();

    void IDueTwin.OnDue(IGrainFactory grains) => grains.Grain<ITwinHousekeepingGrain>(GrainContext.GrainId).DueAsync().Ignore();

    /// <summary>
    /// The twin's housekeeping (noticing the device going quiet, writing the snapshot once the twin
    /// settles) waits in the silo's <see cref="TwinDueTimes"/> for the earlier of the two, rather than
    /// on a grain timer of its own (a timer per twin would cost a million twins some 600 MB). It is
    /// taken out of the queue when neither is due.
    /// </summary>
    private void ArmTimer()
    {
        DateTime due = _offlineAt;
        if (SnapshotPending && (due == default || SnapshotDueAt < due))
        {
            due = SnapshotDueAt;
        }

        if (due == default)
        {
            if (_timerArmed)
            {
                DueTimes.Cancel(this);
                _timerArmed = false;
            }

            return;
        }

        if (_timerArmed && _dueTicks <= due.Ticks)
        {
            // Due sooner already: that call looks again and queues the twin for what is then due.
            return;
        }

        DueTimes.Schedule(this, due);

        // The queue sets the same time; a queue already stopped (the silo going down) does not.
        _dueTicks = due.Ticks;
        _timerArmed = true;
    }

    /// <summary>
    /// A city twin stays active while its device is expected to report, so that going offline is
    /// noticed by the twin itself rather than by a global scan: idle collection waits until a little
    /// past the offline deadline. A twin with only a snapshot to write may be collected (it writes on the way out).
    /// </summary>
    private void KeepAliveUntilOffline()
    {
        TimeSpan until = _offlineAt == default ? TimeSpan.Zero : _offlineAt - Now + KeepAliveMargin;
        DelayDeactivation(until > TimeSpan.Zero ? until : TimeSpan.Zero);
    }

    public async Task DueAsync()
    {
        _timerArmed = false;
        DateTime now = Now;
        if (_offlineAt != default && now >= _offlineAt && EvaluateConnectivity())
        {
            Touch();
            await OnChangedAsync();
        }

        if (SnapshotPending && now >= SnapshotDueAt)
        {
            await WriteSnapshotNowAsync();
        }

        ArmTimer();
    }

    /// <summary>Moves the offline deadline while the device is within its window; returns true when it just went offline.</summary>
    private bool EvaluateConnectivity()
    {
        TimeSpan silentFor = Now - State.LastSeen;
        if (silentFor <= OfflineWindow)
        {
            State.Status = TwinStatus.Online;
            _offlineAt = State.LastSeen + OfflineWindow + TimeSpan.FromMilliseconds(10);
            KeepAliveUntilOffline();
            ArmTimer();
            return false;
        }

        _offlineAt = default;
        KeepAliveUntilOffline();
        if (State.Status == TwinStatus.Offline)
        {
            return false;
        }

        State.Status = TwinStatus.Offline;
        LogWentOffline(_services.Logger, Id, State.LastSeen);
        return true;
    }

    private Occasional More => _occasional ??= new Occasional();

    /// <summary>A provider that finds no record, or clears it, may set no state: the twin then starts afresh.</summary>
    [System.Diagnostics.CodeAnalysis.AllowNull]
    TState IGrainState<TState>.State
    {
        get => _state;
        set => _state = value ?? new TState();
    }

    string? IGrainState<TState>.ETag
    {
        get => _etag;
        set => _etag = value;
    }

    bool IGrainState<TState>.RecordExists
    {
        get => _recordExists;
        set => _recordExists = value;
    }

    /// <summary>What only some twins need: watchers of their document, the rules' state, a pending re-check of the rules.</summary>
    private sealed class Occasional
    {
        public ObserverSet<ITwinObserver>? Watchers;
        public Dictionary<string, object>? HookState;
        public IGrainTimer? HookTimer;

        /// <summary>The deepest rule chain among the changes a pending re-check of the hooks is for.</summary>
        public int RecheckDepth;

        // Commands and rule holds: timers while the twin has something due, and whether the
        // hold reminder is registered.
        public IGrainTimer? ExpiryTimer;
        public IGrainTimer? SendTimer;
        public IGrainTimer? HoldTimer;
        public bool HoldReminder;

        /// <summary>The wait before the next try to send pending commands; zero until a send failed.</summary>
        public TimeSpan SendBackoff;

        /// <summary>When the twin last asked to move to the silo that owns its device.</summary>
        public DateTime MoveAskedAt;

        /// <summary>When downlinks went to the device within the budget's window, oldest first (kept in memory).</summary>
        public Queue<DateTime>? Downlinks;
    }

    [LoggerMessage(EventId = 1006, Level = LogLevel.Debug, Message = "Twin {TwinId} moves to silo {Silo}, which owns its device")]
    private static partial void LogMoving(ILogger logger, string twinId, SiloAddress silo);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "Twin {TwinId} could not record its device's network id with the registration ({Error}); its next uplink tries again")]
    private static partial void LogDeviceIdNotRecorded(ILogger logger, string twinId, string error);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Twin {TwinId} went offline (last seen {LastSeen:o})")]
    private static partial void LogWentOffline(ILogger logger, string twinId, DateTime lastSeen);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Twin {TwinId} replayed {Count} uplinks from history newer than its snapshot")]
    private static partial void LogReplayed(ILogger logger, string twinId, int count);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "A change hook failed on twin {TwinId}")]
    private static partial void LogHookFailed(ILogger logger, Exception exception, string twinId);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning, Message = "Twin {TwinId} found its snapshot written by another activation since it woke; this one ends, and the next call wakes the twin from the store")]
    private static partial void LogSuperseded(ILogger logger, Exception exception, string twinId);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Twin {TwinId} could not write its snapshot; it will try again")]
    private static partial void LogSnapshotFailed(ILogger logger, Exception exception, string twinId);
}
