using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TwinCity.Grains.Interfaces.Audit;
using TwinCity.Grains.Interfaces.Commands;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Twins;

/// <summary>
/// Commands on a twin: desired values, the downlink, and the lifecycle pending → sent → acked →
/// confirmed, or failed / expired / superseded. Commands live in the twin's state and are written
/// at once, so they survive a restart; expiry is kept by a timer while the twin is active and by a
/// reminder when it is not.
/// </summary>
public abstract partial class TwinGrain<TState> : IRemindable
{
    private const string ExpiryReminder = "command-expiry";
    private const string HoldReminder = "rule-holds";
    private static readonly TimeSpan IdempotencyWindow = TimeSpan.FromHours(24);
    private static readonly TimeSpan MaxSendBackoff = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan FirstSendBackoff = TimeSpan.FromSeconds(1);

    public async Task<CommandResult> IssueCommandAsync(CommandRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        TState s = State;
        DateTime now = Now;
        if (!s.Provisioned)
        {
            return new CommandResult(CommandOutcome.NotProvisioned, null, s.Version);
        }

        if (request.IdempotencyKey is { } key)
        {
            s.Idempotency?.RemoveAll(r => now - r.At > IdempotencyWindow);
            IdempotencyRecord? seen = s.Idempotency?.Find(r => r.Key == key && r.By == request.By);
            if (seen is not null)
            {
                if (seen.RequestHash is not null && request.RequestHash is not null && seen.RequestHash != request.RequestHash)
                {
                    return new CommandResult(CommandOutcome.KeyReused, null, s.Version, Reason: $"the Idempotency-Key was used for another command ({seen.CommandId}) within the last {IdempotencyWindow.TotalHours:0} hours");
                }

                // The command as it stands, or as it was first answered once the twin has pruned it.
                if ((FindCommand(seen.CommandId) ?? seen.Command) is CommandInfo first)
                {
                    return new CommandResult(CommandOutcome.Repeated, first, s.Version);
                }
            }
        }

        if (request.IfMatchVersion is long expected && expected != s.Version)
        {
            return new CommandResult(CommandOutcome.VersionMismatch, null, s.Version);
        }

        if (request.OnlyIfHeldBy is { } holder && !request.Sets.All(r => s.Desired?.Find(d => d.Property == r.Property)?.By == holder))
        {
            return new CommandResult(CommandOutcome.NotHeld, null, s.Version);
        }

        if (request.RuleId is { } rule && s.Holds?.Exists(h => h.RuleId == rule && h.Overridden && h.Until > now && request.Sets.Any(r => r.Property == h.Property)) == true)
        {
            // The owning agency took these values over during the rule's effect: theirs stand until it ends.
            return new CommandResult(CommandOutcome.Overridden, null, s.Version);
        }

        if (request.RuleId is not null && request.Sets.Length > 0 && LatestHeldBy(request) is CommandInfo held)
        {
            // A rule firing again while its values stand: the hold lasts longer, without another downlink.
            // The longer hold is written with the next snapshot; a twin lost before that ends it sooner.
            RecordHolds(request, now);
            await ArrangeHoldsAsync();
            return new CommandResult(CommandOutcome.Repeated, held, s.Version);
        }

        // Whatever path the command came by (the API, a rule, a hold put back), its arguments are
        // checked against the catalogue again and only the validated values are kept for the downlink.
        if (!CommandCatalog.TryValidate(s.Kind, request.Name, request.ArgsJson, out string? validArgs, out string? argsProblem))
        {
            throw new ArgumentException(argsProblem, nameof(request));
        }

        foreach (Reading value in request.Sets)
        {
            PropertyInfo info = PropertyCatalog.Get(value.Property);
            if (!info.AppliesTo(s.Kind))
            {
                throw new ArgumentException($"'{info.Name}' is not a property of {s.Kind.ToUrlName()}", nameof(request));
            }

            if (info.Validate(value.Value) is string problem)
            {
                throw new ArgumentException(problem, nameof(request));
            }
        }

        // A value a rule's hold puts back is not refused: the budget keeps airtime, not the city's state.
        if (!CommandCatalog.IsPlatformSide(s.Kind, request.Name) && request.OnlyIfHeldBy is null
            && await OverBudgetAsync(request.Name, now) is ({ } budgetReason, TimeSpan retryAfter))
        {
            return new CommandResult(CommandOutcome.Throttled, null, s.Version, retryAfter, budgetReason);
        }

        RecordHolds(request, now);
        List<CommandInfo> commands = s.Commands ??= [];
        string id = Guid.NewGuid().ToString();
        for (int i = 0; i < commands.Count; i++)
        {
            CommandInfo c = commands[i];

            // A newer command on the same values, or of the same name while the older is still
            // unsent, takes the older's place: one downlink, not two.
            if (IsActive(c.Status) && (c.Sets.Any(set => request.Sets.Any(r => r.Property == set.Property)) || (c.Status == CommandStatus.Pending && c.Name == request.Name)))
            {
                commands[i] = c with { Status = CommandStatus.Superseded, UpdatedAt = now, Reason = $"superseded by command {id}" };
                Audit(commands[i], "superseded");
                Metrics?.CommandEntered(CommandStatus.Superseded);
            }
        }

        List<DesiredValue> desired = s.Desired ??= [];
        foreach (Reading value in request.Sets)
        {
            desired.RemoveAll(d => d.Property == value.Property);
            desired.Add(new DesiredValue(value.Property, value.Value, request.By, now));
        }

        var command = new CommandInfo(id, request.Name, CommandStatus.Pending, request.By, now, now, now + request.Ttl, request.Sets, ArgsJson: validArgs);
        commands.Add(command);
        Metrics?.CommandEntered(CommandStatus.Pending);
        if (request.IdempotencyKey is { } newKey)
        {
            (s.Idempotency ??= []).Add(new IdempotencyRecord(newKey, request.By, id, now, request.RequestHash));
        }

        Audit(command, "accepted", request.ByKey);
        if (CommandCatalog.IsPlatformSide(s.Kind, request.Name))
        {
            foreach (Reading value in request.Sets)
            {
                s.Apply(value, now);
            }

            command = SetStatus(id, CommandStatus.Confirmed, null)!;
        }

        PruneCommands();
        Touch();
        if (!await WriteSnapshotOrDiscardAsync())
        {
            // Not recorded, so not done: the activation goes back to its snapshot and nothing is sent.
            Audit(command with { Status = CommandStatus.Failed, Reason = NotRecorded }, "failed", request.ByKey);
            return new CommandResult(CommandOutcome.Unavailable, null, s.Version, UnavailableRetryAfter, NotRecorded);
        }

        await ArrangeExpiryAsync();
        await ArrangeHoldsAsync();

        // The rules see this change as the next link of the chain that sent the command, however far it
        // went; a value a rule's hold puts back carries the depth of the effect it undoes.
        await AtChainDepthAsync(request.RuleId is null ? Math.Max(request.ChainDepth, 0) : Math.Max(request.ChainDepth, 1), () => OnChangedAsync().AsTask());

        if (command.Status == CommandStatus.Pending)
        {
            await SendPendingAsync();
            command = FindCommand(id) ?? command;
        }

        return new CommandResult(CommandOutcome.Accepted, command, State.Version);
    }

    public ValueTask<CommandInfo?> GetCommandAsync(string commandId) => ValueTask.FromResult(FindCommand(commandId));

    public async ValueTask DownlinkEventAsync(DownlinkEvent downlinkEvent)
    {
        ArgumentNullException.ThrowIfNull(downlinkEvent);
        CommandInfo? command = FindCommand(downlinkEvent.CommandId);
        if (command is null || State.DevEui != downlinkEvent.DevEui || !IsActive(command.Status))
        {
            return;
        }

        CommandStatus next = downlinkEvent.Kind switch
        {
            DownlinkEventKind.Transmitted => command.Status == CommandStatus.Pending ? CommandStatus.Sent : command.Status,
            DownlinkEventKind.Acknowledged => command.Sets.Count == 0 ? CommandStatus.Confirmed : CommandStatus.Acked,
            _ => CommandStatus.Failed,
        };
        if (next == command.Status)
        {
            return;
        }

        SetStatus(command.Id, next, downlinkEvent.Reason);
        Touch();
        await WriteSnapshotAsync();
        await ArrangeExpiryAsync();
        await OnChangedAsync();
    }

    public Task<bool> ReleaseRuleHoldAsync(string ruleId) => ReleaseHoldsAsync(h => h.RuleId == ruleId);

    /// <summary>Ends the holds that match: values a rule still holds are put back; values someone else set since stand.</summary>
    private async Task<bool> ReleaseHoldsAsync(Predicate<RuleHold> which)
    {
        List<RuleHold>? holds = State.Holds?.FindAll(which);
        if (holds is null || holds.Count == 0)
        {
            return false;
        }

        State.Holds!.RemoveAll(which);
        bool restored = false;
        foreach (RuleHold hold in holds)
        {
            string holder = "rule:" + hold.RuleId;
            DesiredValue? current = State.Desired?.Find(d => d.Property == hold.Property);
            if (hold.Overridden || current?.By != holder)
            {
                // Someone else set this property during the effect; their value stands.
                continue;
            }

            PropertyValue back = hold.Previous ?? DefaultOf(hold.Property);
            if (CommandCatalog.CommandFor(hold.Property, back) is not (string name, string args))
            {
                State.Desired!.Remove(current);
                continue;
            }

            await IssueCommandAsync(new CommandRequest(name, [new Reading(hold.Property, back)], holder, TimeSpan.FromMinutes(10), args, OnlyIfHeldBy: holder, ChainDepth: hold.ChainDepth));
            restored = true;
        }

        Touch();
        await WriteSnapshotAsync();
        await ArrangeHoldsAsync();
        await AtChainDepthAsync(holds.Max(h => h.ChainDepth), () => OnChangedAsync().AsTask());

        return restored;
    }

    /// <summary>Holds whose time is up end here, by the twin itself: no central loop undoes effects.</summary>
    private async Task ReleaseDueHoldsAsync()
    {
        DateTime now = Now;
        if (State.Holds?.Exists(h => h.Until <= now) == true)
        {
            await ReleaseHoldsAsync(h => h.Until <= now);
        }
        else
        {
            await ArrangeHoldsAsync();
        }
    }

    /// <summary>A timer for the next hold to end while active, and a reminder that wakes the twin for it if it is not.</summary>
    private async Task ArrangeHoldsAsync()
    {
        DateTime? next = State.Holds?.Where(h => h.Until is not null).Select(h => h.Until).Min();
        if (next is not DateTime due)
        {
            if (_occasional is { } more)
            {
                more.HoldTimer?.Dispose();
                more.HoldTimer = null;
                if (more.HoldReminder)
                {
                    IGrainReminder? reminder = await this.GetReminder(HoldReminder);
                    if (reminder is not null)
                    {
                        await this.UnregisterReminder(reminder);
                    }

                    more.HoldReminder = false;
                }
            }

            return;
        }

        TimeSpan wait = due - Now;
        if (wait < TimeSpan.Zero)
        {
            wait = TimeSpan.Zero;
        }

        Occasional commands = More;
        if (commands.HoldTimer is null)
        {
            commands.HoldTimer = this.RegisterGrainTimer(_ => ReleaseDueHoldsAsync(), new GrainTimerCreationOptions(wait, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        }
        else
        {
            commands.HoldTimer.Change(wait, Timeout.InfiniteTimeSpan);
        }

        if (!commands.HoldReminder)
        {
            // The reminder only has to wake a twin whose activation went away; the timer is exact.
            await this.RegisterOrUpdateReminder(HoldReminder, wait < TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : wait, TimeSpan.FromMinutes(1));
            commands.HoldReminder = true;
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == ExpiryReminder)
        {
            await ExpireDueAsync();
        }
        else if (reminderName == HoldReminder)
        {
            More.HoldReminder = true;
            await ReleaseDueHoldsAsync();
        }
    }

    /// <summary>After an uplink: commands whose desired values the device now reports are confirmed.</summary>
    protected bool ConfirmReportedCommands()
    {
        List<CommandInfo>? commands = State.Commands;
        if (commands is null)
        {
            return false;
        }

        bool changed = false;
        foreach (CommandInfo c in commands.ToList())
        {
            if (IsActive(c.Status) && c.Sets.Count > 0 && c.Sets.All(set => State.GetReported(set.Property) is ReportedValue r && r.Value.SameAs(set.Value)))
            {
                SetStatus(c.Id, CommandStatus.Confirmed, null);
                changed = true;
            }
        }

        return changed;
    }

    /// <summary>On activation: pending commands are sent again and expiry is arranged anew.</summary>
    protected async Task ResumeCommandsAsync()
    {
        if (State.Holds is { Count: > 0 })
        {
            More.HoldReminder = true;
            await ReleaseDueHoldsAsync();
        }

        if (State.Commands?.Any(c => IsActive(c.Status)) != true)
        {
            return;
        }

        await ExpireDueAsync();
        await SendPendingAsync();
    }

    private void RecordHolds(CommandRequest request, DateTime now)
    {
        List<RuleHold>? holds = State.Holds;
        if (request.RuleId is null && !request.By.StartsWith("rule:", StringComparison.Ordinal))
        {
            // An agency's own command ends any rule's hold on what it sets. While the effect would have
            // lasted, the rule may not take the value back.
            if (holds is null)
            {
                return;
            }

            for (int i = holds.Count - 1; i >= 0; i--)
            {
                RuleHold h = holds[i];
                if (!request.Sets.Any(r => r.Property == h.Property))
                {
                    continue;
                }

                if (h.Until > now)
                {
                    holds[i] = h with { Overridden = true };
                }
                else
                {
                    holds.RemoveAt(i);
                }
            }

            return;
        }

        if (request.RuleId is not { } ruleId)
        {
            return;
        }

        holds = State.Holds ??= [];
        foreach (Reading value in request.Sets)
        {
            int existing = holds.FindIndex(h => h.RuleId == ruleId && h.Property == value.Property);
            if (existing >= 0)
            {
                // The rule fired again during its effect: the hold lasts from the newest firing.
                RuleHold h = holds[existing];
                holds[existing] = h with { Until = request.HoldUntil is DateTime until && (h.Until is null || until > h.Until) ? until : h.Until };
                continue;
            }

            DesiredValue? desired = State.Desired?.Find(d => d.Property == value.Property);
            PropertyValue? previous = desired?.Value ?? State.GetReported(value.Property)?.Value;
            holds.Add(new RuleHold(ruleId, value.Property, previous, desired?.By, request.HoldUntil, ChainDepth: Math.Max(request.ChainDepth, 1)));
        }
    }

    private async Task SendPendingAsync()
    {
        IDownlinkPublisher? publisher = ServiceProvider.GetService<IDownlinkPublisher>();
        List<CommandInfo>? commands = State.Commands;
        if (publisher is null || commands is null)
        {
            return;
        }

        bool changed = false;
        bool retry = false;
        foreach (CommandInfo c in commands.Where(c => c.Status == CommandStatus.Pending).ToList())
        {
            if (c.ExpiresAt <= Now)
            {
                continue;
            }

            var request = new DownlinkRequest(State.DevEui, c.Id, c.Name, [.. c.Sets], c.ArgsJson, State.Codec, State.Source, State.ApplicationId, State.DeviceId);
            string? problem;
            try
            {
                problem = await publisher.PublishAsync(request, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                problem = ex.Message;
            }

            if (problem is null)
            {
                SetStatus(c.Id, CommandStatus.Sent, null);
                (More.Downlinks ??= new Queue<DateTime>()).Enqueue(Now);
                changed = true;
            }
            else
            {
                retry = true;
                LogDownlinkDeferred(_services.Logger, Id, c.Id, problem);
            }
        }

        if (retry)
        {
            // Not dropped: tried again with back-off until the command's TTL.
            Occasional more = More;
            TimeSpan wait = more.SendBackoff == TimeSpan.Zero ? FirstSendBackoff : more.SendBackoff;
            more.SendBackoff = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, MaxSendBackoff.Ticks));
            more.SendTimer ??= this.RegisterGrainTimer(async _ =>
            {
                more.SendTimer?.Dispose();
                more.SendTimer = null;
                await SendPendingAsync();
            }, new GrainTimerCreationOptions(wait, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        }
        else if (_occasional is { } more)
        {
            more.SendBackoff = TimeSpan.Zero;
        }

        if (changed)
        {
            Touch();
            await WriteSnapshotAsync();
            await OnChangedAsync();
        }
    }

    private async Task ExpireDueAsync()
    {
        List<CommandInfo>? commands = State.Commands;
        DateTime now = Now;
        bool changed = false;
        if (commands is not null)
        {
            foreach (CommandInfo c in commands.Where(c => IsActive(c.Status) && c.ExpiresAt <= now).ToList())
            {
                SetStatus(c.Id, CommandStatus.Expired, "its time to live passed before the device confirmed it");
                changed = true;
            }
        }

        if (changed)
        {
            Touch();
            await WriteSnapshotAsync();
            await OnChangedAsync();
        }

        await ArrangeExpiryAsync();
    }

    /// <summary>A timer for the next expiry while active, and a reminder that wakes the twin for it if it is not.</summary>
    private async Task ArrangeExpiryAsync()
    {
        DateTime? next = State.Commands?.Where(c => IsActive(c.Status)).Select(c => (DateTime?)c.ExpiresAt).Min();
        if (next is not DateTime due)
        {
            if (_occasional is { } more)
            {
                more.ExpiryTimer?.Dispose();
                more.ExpiryTimer = null;
            }

            IGrainReminder? reminder = await this.GetReminder(ExpiryReminder);
            if (reminder is not null)
            {
                await this.UnregisterReminder(reminder);
            }

            return;
        }

        TimeSpan wait = due - Now;
        if (wait < TimeSpan.Zero)
        {
            wait = TimeSpan.Zero;
        }

        Occasional commands = More;
        if (commands.ExpiryTimer is null)
        {
            commands.ExpiryTimer = this.RegisterGrainTimer(_ => ExpireDueAsync(), new GrainTimerCreationOptions(wait, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        }
        else
        {
            commands.ExpiryTimer.Change(wait, Timeout.InfiniteTimeSpan);
        }

        await this.RegisterOrUpdateReminder(ExpiryReminder, wait, TimeSpan.FromMinutes(1));
    }

    private CommandInfo? SetStatus(string id, CommandStatus status, string? reason)
    {
        List<CommandInfo> commands = State.Commands!;
        int index = commands.FindIndex(c => c.Id == id);
        if (index < 0)
        {
            return null;
        }

        CommandInfo updated = commands[index] with { Status = status, UpdatedAt = Now, Reason = reason ?? commands[index].Reason };
        commands[index] = updated;
        Metrics?.CommandEntered(status);
        if (!IsActive(status))
        {
            Audit(updated, status.ToString().ToLowerInvariant());
        }

        return updated;
    }

    /// <summary>The requester's latest command that set exactly these values, if they are still the desired ones and it did not fail.</summary>
    private CommandInfo? LatestHeldBy(CommandRequest request)
    {
        foreach (Reading r in request.Sets)
        {
            DesiredValue? d = State.Desired?.Find(x => x.Property == r.Property);
            if (d is null || d.By != request.By || !d.Value.SameAs(r.Value) || State.Holds?.Exists(h => h.RuleId == request.RuleId && h.Property == r.Property && !h.Overridden) != true)
            {
                return null;
            }
        }

        return State.Commands?.LastOrDefault(c => c.By == request.By && c.Name == request.Name && c.Status is not (CommandStatus.Failed or CommandStatus.Expired or CommandStatus.Superseded));
    }

    /// <summary>
    /// Why another downlink would spend more than the device's budget (<see cref="TwinOptions.DownlinksPerDevice"/>
    /// per <see cref="TwinOptions.DownlinkWindow"/>, counting those sent and those still pending, save one
    /// this command replaces) or the city's (<see cref="CityDownlinkBudget"/>), and when to try again;
    /// a null reason when it is within both (the city's downlink is then taken).
    /// </summary>
    private async ValueTask<(string? Reason, TimeSpan RetryAfter)> OverBudgetAsync(string name, DateTime now)
    {
        TwinOptions o = Options;
        Queue<DateTime>? sent = _occasional?.Downlinks;
        while (sent is { Count: > 0 } && now - sent.Peek() >= o.DownlinkWindow)
        {
            sent.Dequeue();
        }

        int pending = State.Commands?.Count(c => c.Status == CommandStatus.Pending && c.Name != name) ?? 0;
        int used = (sent?.Count ?? 0) + pending;
        if (used >= o.DownlinksPerDevice)
        {
            return ($"the device's downlink budget ({o.DownlinksPerDevice} per {o.DownlinkWindow}) is spent",
                sent is { Count: > 0 } ? sent.Peek() + o.DownlinkWindow - now : o.DownlinkWindow);
        }

        if (ServiceProvider.GetService<CityDownlinkBudget>() is { } city && await city.TryTakeAsync() is (false, TimeSpan wait))
        {
            return ($"the city's downlink budget ({o.CityDownlinksPerSecond} a second) is spent", wait);
        }

        return (null, TimeSpan.Zero);
    }

    private CommandInfo? FindCommand(string id) => State.Commands?.Find(c => c.Id == id);

    private void PruneCommands()
    {
        List<CommandInfo>? commands = State.Commands;
        if (commands is null)
        {
            return;
        }

        int finished = commands.Count(c => !IsActive(c.Status));
        int excess = finished - Options.CommandHistory;
        for (int i = 0; i < commands.Count && excess > 0;)
        {
            if (!IsActive(commands[i].Status))
            {
                // A key that created it keeps the command as it ended, to answer repeats for the key's whole window.
                int key = State.Idempotency?.FindIndex(r => r.CommandId == commands[i].Id) ?? -1;
                if (key >= 0)
                {
                    State.Idempotency![key] = State.Idempotency[key] with { Command = commands[i] };
                }

                commands.RemoveAt(i);
                excess--;
            }
            else
            {
                i++;
            }
        }
    }

    private const string NotRecorded = "the twin's state could not be recorded, so nothing was sent";

    /// <summary>How soon a command refused because the twin's storage failed is worth trying again.</summary>
    private static readonly TimeSpan UnavailableRetryAfter = TimeSpan.FromSeconds(5);

    private void Audit(CommandInfo command, string outcome, string? byKey = null) =>
        ServiceProvider.GetService<IAuditLog>()?.Write(new AuditEntry(
            Now, command.By, "command." + command.Name, State.Kind.ToUrlName(), Id, outcome,
            command.Reason is null ? $"command {command.Id}" : $"command {command.Id}: {command.Reason}", byKey));

    private static bool IsActive(CommandStatus status) => status is CommandStatus.Pending or CommandStatus.Sent or CommandStatus.Acked;

    private static PropertyValue DefaultOf(TwinProperty property) => PropertyCatalog.Get(property).Type switch
    {
        PropertyType.Bool => PropertyValue.Of(false),
        PropertyType.Number => PropertyValue.Of(0),
        _ => PropertyValue.Of(string.Empty),
    };

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Twin {TwinId}: downlink of command {CommandId} deferred ({Problem}); it is retried until its TTL")]
    private static partial void LogDownlinkDeferred(ILogger logger, string twinId, string commandId, string problem);
}
