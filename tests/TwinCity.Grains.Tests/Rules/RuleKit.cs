using System.Text.Json;
using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Grains.Interfaces.Rules;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Tests.Rules;

/// <summary>
/// The city's default rules as shipped (Silo/Seed/baku-rules.json), confined to a test's own patch of
/// the map so that tests sharing the cluster do not fire each other's rules; twins placed in metres.
/// </summary>
public sealed class RuleKit(IGrainFactory grains, double originLat, double originLon)
{
    private static readonly Lazy<JsonDocument> Defaults = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Rules", "baku-rules.json"))));

    private readonly Dictionary<string, (ulong DevEui, uint FCnt)> _devices = [];

    public IGrainFactory Grains { get; } = grains;

    public GeoPoint Origin => new(originLat, originLon);

    /// <summary>An area of a few kilometres around the origin, for the rule's <c>within</c>.</summary>
    public GeoBox Patch => new(originLon - 0.05, originLat - 0.05, originLon + 0.05, originLat + 0.05);

    /// <summary>The point <paramref name="east"/> and <paramref name="north"/> metres from the origin.</summary>
    public GeoPoint At(double east, double north) => new(
        originLat + (north / 111_320.0),
        originLon + (east / (111_320.0 * Math.Cos(originLat * Math.PI / 180))));

    public static JsonElement DefaultJson(string id) =>
        Defaults.Value.RootElement.EnumerateArray().Single(r => r.GetProperty("id").GetString() == id);

    /// <summary>A default rule under a fresh id, confined to this kit's patch, with changes for the test.</summary>
    public async Task<RuleDefinition> PutDefaultAsync(string id, Func<RuleDefinition, RuleDefinition>? change = null)
    {
        string testId = $"{id}-{Guid.NewGuid():N}"[..(id.Length + 9)];
        Assert.True(RuleParser.TryParse(testId, DefaultJson(id), out RuleDefinition? rule, out RuleProblem? problem), problem?.Message);
        rule = rule! with { Trigger = rule.Trigger with { Within = Patch } };
        rule = change?.Invoke(rule) ?? rule;
        return await Grains.GetGrain<IRuleRegistryGrain>(0).PutAsync(rule);
    }

    public async Task<RuleDefinition> PutJsonAsync(string json)
    {
        string id = $"t-{Guid.NewGuid():N}"[..12];
        using JsonDocument doc = JsonDocument.Parse(json);
        Assert.True(RuleParser.TryParse(id, doc.RootElement, out RuleDefinition? rule, out RuleProblem? problem), problem?.Message);
        return await Grains.GetGrain<IRuleRegistryGrain>(0).PutAsync(rule! with { Trigger = rule.Trigger with { Within = Patch } });
    }

    public Task<ITwinGrain> PlaceAsync(TwinKind kind, GeoPoint position, string? route = null) =>
        PlaceAsync(kind, $"R-{Guid.NewGuid():N}"[..16], position, route);

    /// <summary>
    /// A twin that lives on another silo than <paramref name="other"/>, so that a rule's effect crosses silos:
    /// fresh ids are woken until one is placed elsewhere, then its device is registered.
    /// </summary>
    public async Task<ITwinGrain> PlaceApartAsync(TwinKind kind, GeoPoint position, ITwinGrain other, string? route = null)
    {
        var management = Grains.GetGrain<IManagementGrain>(0);
        await other.GetAsync();
        SiloAddress? otherSilo = await management.GetActivationAddress(other);
        Assert.NotNull(otherSilo);
        for (int attempt = 0; attempt < 50; attempt++)
        {
            string id = $"R-{Guid.NewGuid():N}"[..16];
            ITwinGrain candidate = Grains.GetTwin(kind, id);
            await candidate.GetAsync();
            if (await management.GetActivationAddress(candidate) is SiloAddress silo && !silo.Equals(otherSilo))
            {
                return await PlaceAsync(kind, id, position, route);
            }
        }

        throw new Xunit.Sdk.XunitException($"no twin placed apart from {other.GetPrimaryKeyString()} on {otherSilo}");
    }

    private async Task<ITwinGrain> PlaceAsync(TwinKind kind, string id, GeoPoint position, string? route)
    {
        ulong devEui = (ulong)Random.Shared.NextInt64(1, long.MaxValue);
        await Grains.GetDevice(devEui).RegisterAsync(new DeviceRegistration(devEui, kind, id, id, position, "cayenne-lpp", 600, route));
        _devices[id] = (devEui, 0);
        return Grains.GetTwin(kind, id);
    }

    public async Task<UplinkOutcome> ReportAsync(ITwinGrain twin, params Reading[] values)
    {
        string id = twin.GetPrimaryKeyString();
        (ulong devEui, uint fcnt) = _devices[id];
        _devices[id] = (devEui, fcnt + 1);
        return await twin.UplinkAsync(new Uplink(devEui, fcnt + 1, DateTime.UtcNow, values));
    }

    public async Task<RuleFiring[]> FiringsAsync(RuleDefinition rule) =>
        await Grains.GetGrain<IRuleFiringsGrain>(rule.Id).ListAsync(100);

    public Task DeleteAsync(RuleDefinition rule) => Grains.GetGrain<IRuleRegistryGrain>(0).DeleteAsync(rule.Id);

    public static async Task<DesiredValue?> DesiredAsync(ITwinGrain twin, TwinProperty property) =>
        (await twin.GetAsync())!.Desired.FirstOrDefault(d => d.Property == property);

    public static async Task<PropertyValue?> ReportedAsync(ITwinGrain twin, TwinProperty property) =>
        (await twin.GetAsync())!.Reported.Where(r => r.Property == property).Select(r => (PropertyValue?)r.Value).FirstOrDefault();

    /// <summary>Waits until the twins are in their cells' projection, where rules look for targets.</summary>
    public async Task InCellsAsync(params ITwinGrain[] twins)
    {
        foreach (ITwinGrain twin in twins)
        {
            TwinDocument doc = (await twin.GetAsync())!;
            var cell = Grains.GetGrain<Interfaces.Cells.ICellGrain>(Interfaces.Cells.CellGrid.CellOf(doc.Position));
            await Eventually(async () => (await cell.GetTwinsAsync()).Any(t => t.Id == doc.Id && t.Version >= doc.Version), "twin in its cell");
        }
    }

    public static async Task Eventually(Func<Task<bool>> condition, string what, double seconds = 15)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not reached within {seconds} s: {what}");
            await Task.Delay(25);
        }
    }
}
