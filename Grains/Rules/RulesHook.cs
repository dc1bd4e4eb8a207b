using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TwinCity.Grains.Interfaces;
using TwinCity.Grains.Interfaces.Audit;
using TwinCity.Grains.Interfaces.Cells;
using TwinCity.Grains.Interfaces.Rules;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Grains.Twins;

namespace TwinCity.Grains.Rules;

/// <summary>
/// The rules engine, run by each twin on its own changes: it evaluates the rules that watch the twin's
/// kind (from the silo's cache) and, when one fires, sends the effect to the cell grains in scope, which
/// pass it to their twins. There is no central loop: each twin judges itself.
/// </summary>
public sealed partial class RulesHook(RuleCache cache, IServiceProvider services, IOptions<RulesOptions> options, ILogger<RulesHook> logger) : ITwinChangeHook
{
    private const string StateKey = "rules";

    /// <summary>A bus further than this from its route's path is off its route: it brightens nothing.</summary>
    private const double OffRouteMetres = 150;

    /// <summary>Buses on a route are looked for within this distance of its path.</summary>
    private const double RouteCorridorMetres = 100;

    /// <summary>At most one <c>ruleFired</c> per rule and source twin in this time.</summary>
    private static readonly TimeSpan ViewerNoticeInterval = TimeSpan.FromSeconds(60);

    private readonly RulesOptions _options = options.Value;

    public async ValueTask OnTwinChangedAsync(ITwinChangeContext twin)
    {
        ArgumentNullException.ThrowIfNull(twin);
        RuleDefinition[] rules = await cache.ForKindAsync(twin.Kind);
        if (rules.Length == 0)
        {
            return;
        }

        if (!twin.HookState.TryGetValue(StateKey, out object? value) || value is not Dictionary<string, RuleTrack> tracks)
        {
            tracks = new Dictionary<string, RuleTrack>(StringComparer.Ordinal);
            twin.HookState[StateKey] = tracks;
        }

        DateTime now = twin.Now;
        TimeSpan? recheck = null;
        foreach (RuleDefinition rule in rules)
        {
            if (rule.Trigger.Within is GeoBox within && !within.Contains(twin.Position))
            {
                continue;
            }

            if (!tracks.TryGetValue(rule.Id, out RuleTrack? track) || track.RuleVersion != rule.Version)
            {
                track = new RuleTrack(rule.Version, rule.Trigger.Conditions.Length);
                tracks[rule.Id] = track;
            }

            if (rule.Scope.Type == RuleScopeType.RouteAhead)
            {
                await TrackRouteAsync(twin, track);
            }

            bool met = Evaluate(rule.Trigger, twin, track, now, ref recheck, out bool changedMet);
            bool edge = met && (!track.Active || changedMet);
            if (track.Active && !met && rule.EndWhenCleared && track.LastTargets.Length > 0)
            {
                Release(twin.GrainFactory, rule.Id, track.LastTargets);
                track.LastTargets = [];
            }

            track.Active = met;
            if (!edge)
            {
                continue;
            }

            if (!RuleHours.IsActive(rule.ActiveHours, now, _options))
            {
                continue;
            }

            if (track.LastFired != default && now - track.LastFired < TimeSpan.FromSeconds(rule.CooldownSeconds))
            {
                LogCooling(rule.Id, twin.Id);
                continue;
            }

            // A change made by another rule's command is the next link of that chain; past the limit it ends here.
            int depth = twin.ChainDepth + 1;
            if (depth > _options.MaxChainDepth)
            {
                StopChain(rule, twin, depth, now);
                continue;
            }

            if (await FireAsync(rule, twin, track, depth, now))
            {
                track.LastFired = now;
            }
        }

        // Drop the memory of rules that were deleted.
        if (tracks.Count > rules.Length)
        {
            ForgetDeleted(tracks, rules);
        }

        if (recheck is TimeSpan delay)
        {
            twin.CallAgainAfter(delay);
        }
    }

    // A method of its own: a lambda capturing the rules in the caller would cost every change a closure.
    private static void ForgetDeleted(Dictionary<string, RuleTrack> tracks, RuleDefinition[] rules)
    {
        foreach (string gone in tracks.Keys.Where(id => !rules.Any(r => r.Id == id)).ToList())
        {
            tracks.Remove(gone);
        }
    }

    private static bool Evaluate(RuleTrigger trigger, ITwinChangeContext twin, RuleTrack track, DateTime now, ref TimeSpan? recheck, out bool changedMet)
    {
        changedMet = false;
        bool any = false;
        bool all = true;
        for (int i = 0; i < trigger.Conditions.Length; i++)
        {
            RuleCondition c = trigger.Conditions[i];
            PropertyValue? value = twin.Get(c.Property)?.Value;
            bool raw;
            if (c.Op == RuleOp.Changed)
            {
                raw = value is PropertyValue v && track.Last[i] is PropertyValue last && !v.SameAs(last);
                track.Last[i] = value ?? track.Last[i];
                changedMet |= raw;
            }
            else
            {
                raw = value is PropertyValue v && Compare(c, v, track.Holding[i]);
            }

            track.Holding[i] = raw;
            bool met = raw;
            if (raw && c.ForSeconds > 0)
            {
                DateTime since = track.Since[i] ??= now;
                TimeSpan left = TimeSpan.FromSeconds(c.ForSeconds) - (now - since);
                if (left > TimeSpan.Zero)
                {
                    met = false;
                    recheck = recheck is TimeSpan r && r < left ? r : left;
                }
            }
            else if (!raw)
            {
                track.Since[i] = null;
            }

            any |= met;
            all &= met;
        }

        return trigger.All ? all : any;
    }

    /// <summary>Compares with the threshold; a condition already met keeps holding until the value is back past it by the hysteresis.</summary>
    private static bool Compare(RuleCondition c, PropertyValue v, bool holding)
    {
        PropertyValue threshold = c.Value!.Value;
        double band = holding ? c.Hysteresis : 0;
        return c.Op switch
        {
            RuleOp.Greater => v.Number > threshold.Number - band,
            RuleOp.GreaterOrEqual => v.Number >= threshold.Number - band,
            RuleOp.Less => v.Number < threshold.Number + band,
            RuleOp.LessOrEqual => v.Number <= threshold.Number + band,
            RuleOp.Equal => v.SameAs(threshold),
            RuleOp.NotEqual => !v.SameAs(threshold),
            _ => false,
        };
    }

    private async Task<bool> FireAsync(RuleDefinition rule, ITwinChangeContext twin, RuleTrack track, int depth, DateTime now)
    {
        GeoPoint position = twin.Position;
        RuleArea? area = await AreaAsync(rule.Scope, twin, track, position);
        if (area is null)
        {
            return false;
        }

        IGrainFactory grains = twin.GrainFactory;
        DateTime? holdUntil = rule.DurationSeconds > 0 ? now + TimeSpan.FromSeconds(rule.DurationSeconds) : null;
        var targets = new List<TwinKey>();
        var alerted = new List<string>();
        string? alertText = null;
        foreach (RuleEffect effect in rule.Effects)
        {
            switch (effect.Type)
            {
                case RuleEffectType.Command:
                    var request = new RuleEffectRequest(rule.Id, area, effect.Kind, effect.Command!, effect.Sets ?? [], effect.ArgsJson, holdUntil, ChainDepth: depth);
                    await SendAsync(grains, area.CellsCovered(), request, targets);
                    break;
                case RuleEffectType.Advisory:
                    string args = JsonSerializer.Serialize(new Dictionary<string, string> { ["text"] = effect.Text! });
                    foreach (RouteLine route in await RoutesThroughAsync(area, twin))
                    {
                        var routeArea = new RuleArea(RuleScopeType.RouteAhead, position, RouteCorridorMetres, route.Points);
                        var advisory = new RuleEffectRequest(rule.Id, routeArea, TwinKind.Bus, "display", [], args, null, [route.Id], depth);
                        await SendAsync(grains, routeArea.CellsCovered(), advisory, targets);
                    }

                    break;
                case RuleEffectType.Alert:
                    alertText ??= effect.Text;
                    foreach (string agency in effect.Agencies ?? [])
                    {
                        if (!alerted.Contains(agency))
                        {
                            alerted.Add(agency);
                        }

                        Audit(rule, "rule.alert", agency, $"{effect.Text} (from {twin.Kind.ToUrlName()}/{twin.Id})", now);
                    }

                    break;
            }
        }

        TwinKey[] reached = [.. targets.Distinct()];
        if (rule.Scope.Type == RuleScopeType.RouteAhead)
        {
            // What was ahead last time and is not now, the bus has passed: its lights go back.
            Release(grains, rule.Id, track.LastTargets.Except(reached));
        }

        track.LastTargets = reached;

        var source = new TwinKey(twin.Kind, twin.Id);
        string message = alertText ?? rule.Description ?? $"rule {rule.Id} fired";
        var firing = new RuleFiring(rule.Id, source, reached, [.. alerted], now, message, position, depth);
        grains.Grain<IRuleFiringsGrain>(rule.Id).RecordAsync(firing).Ignore();
        if (now - track.LastNotified >= ViewerNoticeInterval)
        {
            // A rule that follows a bus fires on every fix; map viewers hear of it now and then, not each time.
            track.LastNotified = now;
            var notice = new RuleFiredNotice(rule.Id, source, reached, now, message, position);
            var cells = new HashSet<long> { CellGrid.CellOf(position) };
            foreach (long cell in area.CellsCovered())
            {
                cells.Add(cell);
            }

            foreach (long cell in cells)
            {
                grains.Grain<ICellGrain>(cell).NotifyRuleFiredAsync(notice).Ignore();
            }
        }

        LogFired(rule.Id, source.ToString(), reached.Length);
        return true;
    }

    /// <summary>A firing deeper than the chain limit: nothing is sent, but operators see it in the firings, the log and the metrics.</summary>
    private void StopChain(RuleDefinition rule, ITwinChangeContext twin, int depth, DateTime now)
    {
        var source = new TwinKey(twin.Kind, twin.Id);
        string reason = $"chain depth {depth} is over {RulesOptions.Section}:{nameof(RulesOptions.MaxChainDepth)} ({_options.MaxChainDepth}): rules fire each other";
        string message = rule.Description ?? $"rule {rule.Id} fired";
        var firing = new RuleFiring(rule.Id, source, [], [], now, message, twin.Position, depth, reason);
        twin.GrainFactory.Grain<IRuleFiringsGrain>(rule.Id).RecordAsync(firing).Ignore();
        services.GetService<TwinMetrics>()?.RuleChainStopped(rule.Id);
        LogChainStopped(rule.Id, source.ToString(), depth, _options.MaxChainDepth);
    }

    private async ValueTask<RuleArea?> AreaAsync(RuleScope scope, ITwinChangeContext twin, RuleTrack track, GeoPoint position)
    {
        switch (scope.Type)
        {
            case RuleScopeType.Cell:
                return new RuleArea(RuleScopeType.Cell, position, 0, null, CellGrid.CellOf(position));
            case RuleScopeType.Radius:
                return new RuleArea(RuleScopeType.Radius, position, scope.Metres);
            default:
                RouteLine? route = track.Route is null ? null : await cache.RouteAsync(track.Route);
                if (route is null || track.Along is not double along || track.Direction == 0)
                {
                    return null;
                }

                GeoPoint[] stretch = Polyline.Between(route.Points, along, along + (track.Direction * scope.Metres));
                return new RuleArea(RuleScopeType.RouteAhead, position, scope.WidthMetres, stretch);
        }
    }

    /// <summary>Where along its route the bus is, and which way it drives: routes are driven both ways, so it is told by where it was before.</summary>
    private async Task TrackRouteAsync(ITwinChangeContext twin, RuleTrack track)
    {
        string? routeId = twin.Get(TwinProperty.Route)?.Value.AsText;
        RouteLine? route = routeId is null ? null : await cache.RouteAsync(routeId);
        GeoPoint position = twin.Position;
        if (route is null || route.Points.Length < 2 || !position.IsValid || Polyline.DistanceFrom(route.Points, position) > OffRouteMetres)
        {
            track.Route = null;
            track.Along = null;
            track.Direction = 0;
            return;
        }

        double along = Polyline.Locate(route.Points, position);
        if (track.Route != route.Id || track.Along is null)
        {
            track.Route = route.Id;
            track.Along = along;
            track.Direction = 0;
        }
        else if (Math.Abs(along - track.Along.Value) >= 1)
        {
            track.Direction = along > track.Along.Value ? 1 : -1;
            track.Along = along;
        }
    }

    /// <summary>The routes whose path passes through the area.</summary>
    private async Task<List<RouteLine>> RoutesThroughAsync(RuleArea area, ITwinChangeContext twin)
    {
        var result = new List<RouteLine>();
        if (area.Type == RuleScopeType.RouteAhead)
        {
            string? own = twin.Get(TwinProperty.Route)?.Value.AsText;
            if (own is not null && await cache.RouteAsync(own) is RouteLine line)
            {
                result.Add(line);
            }

            return result;
        }

        foreach (RouteLine route in await cache.RoutesAsync())
        {
            bool passes = area.Type == RuleScopeType.Radius
                ? Polyline.DistanceFrom(route.Points, area.Centre) <= area.Metres
                : Polyline.CellsAlong(route.Points, 0).Contains(area.Cell);
            if (passes)
            {
                result.Add(route);
            }
        }

        return result;
    }

    private static void Release(IGrainFactory grains, string ruleId, IEnumerable<TwinKey> twins)
    {
        foreach (TwinKey key in twins)
        {
            grains.GetTwin(key.Kind, key.Id).ReleaseRuleHoldAsync(ruleId).Ignore();
        }
    }

    private static async Task SendAsync(IGrainFactory grains, List<long> cells, RuleEffectRequest request, List<TwinKey> targets)
    {
        TwinKey[][] answers = await Task.WhenAll(cells.Select(c => grains.Grain<ICellGrain>(c).ApplyRuleEffectAsync(request).AsTask()));
        foreach (TwinKey[] answer in answers)
        {
            targets.AddRange(answer);
        }
    }

    private void Audit(RuleDefinition rule, string action, string target, string details, DateTime at) =>
        services.GetService<IAuditLog>()?.Write(new AuditEntry(at, rule.Requester, action, null, target, "fired", details));

    [LoggerMessage(Level = LogLevel.Information, Message = "Rule {Rule} fired from {Source}: {Targets} twins reached")]
    private partial void LogFired(string rule, string source, int targets);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rule {Rule} met on {Source} but not carried out: chain depth {Depth} is over Rules:MaxChainDepth {MaxChainDepth}, rules fire each other")]
    private partial void LogChainStopped(string rule, string source, int depth, int maxChainDepth);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Rule {Rule} met on twin {TwinId} but cooling down")]
    private partial void LogCooling(string rule, string twinId);
}
