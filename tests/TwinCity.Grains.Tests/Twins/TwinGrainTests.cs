using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Grains.Twins;

namespace TwinCity.Grains.Tests.Twins;

[Collection(ClusterCollection.Name)]
public sealed class TwinGrainTests(ClusterFixture fixture)
{
    private readonly IGrainFactory _grains = fixture.Grains;

    [Theory]
    [MemberData(nameof(TwinScenario.Kinds), MemberType = typeof(TwinScenario))]
    public async Task Provisioned_twin_knows_its_device_and_position(TwinKind kind)
    {
        (ITwinGrain twin, ulong devEui, string id) = await TwinScenario.ProvisionAsync(_grains, kind);

        TwinDocument? doc = await twin.GetAsync();

        Assert.NotNull(doc);
        Assert.Equal(kind, doc.Kind);
        Assert.Equal(id, doc.Id);
        Assert.Equal(DevEui.Format(devEui), doc.DevEui);
        Assert.Equal(new GeoPoint(40.40, 49.86), doc.Position);
        Assert.Equal(TwinStatus.Unknown, doc.Status);
        Assert.Empty(doc.Reported);
    }

    [Fact]
    public async Task Unprovisioned_twin_reads_as_null()
    {
        Assert.Null(await _grains.GetTwin(TwinKind.Streetlight, "never-provisioned-" + Guid.NewGuid().ToString("N")[..8]).GetAsync());
    }

    [Theory]
    [MemberData(nameof(TwinScenario.Kinds), MemberType = typeof(TwinScenario))]
    public async Task Uplink_is_applied_with_its_time_and_the_version_rises(TwinKind kind)
    {
        TwinScenario scenario = TwinScenario.For(kind);
        (ITwinGrain twin, ulong devEui, _) = await TwinScenario.ProvisionAsync(_grains, kind);
        long before = (await twin.GetAsync())!.Version;
        DateTime measured = DateTime.UtcNow.AddSeconds(-1);

        UplinkOutcome outcome = await twin.UplinkAsync(new Uplink(devEui, 7, measured, scenario.Uplink, new RadioInfo(-97, 7.5, "0016C001F153A14C")));

        Assert.Equal(UplinkOutcome.Applied, outcome);
        TwinDocument doc = (await twin.GetAsync())!;
        Assert.Equal(before + 1, doc.Version);
        Assert.Equal(TwinStatus.Online, doc.Status);
        Assert.Equal(measured, doc.LastSeen);
        Assert.Equal(7u, doc.FCnt);
        Assert.Equal(-97, doc.Radio!.Rssi);
        foreach (Reading expected in scenario.Uplink)
        {
            ReportedValue actual = Assert.Single(doc.Reported, r => r.Property == expected.Property);
            Assert.True(expected.Value.SameAs(actual.Value), $"{expected.Property}: expected {expected.Value}, got {actual.Value}");
            Assert.Equal(measured, actual.At);
        }

        Assert.Contains(doc.Reported, r => r.Property == TwinProperty.Rssi && r.Value.Number == -97);
    }

    [Theory]
    [MemberData(nameof(TwinScenario.Kinds), MemberType = typeof(TwinScenario))]
    public async Task Same_frame_counter_or_one_far_below_is_dropped(TwinKind kind)
    {
        TwinScenario scenario = TwinScenario.For(kind);
        (ITwinGrain twin, ulong devEui, _) = await TwinScenario.ProvisionAsync(_grains, kind);
        Assert.Equal(UplinkOutcome.Applied, await twin.UplinkAsync(new Uplink(devEui, 100, DateTime.UtcNow, scenario.Uplink)));
        long version = (await twin.GetAsync())!.Version;

        Assert.Equal(UplinkOutcome.Duplicate, await twin.UplinkAsync(new Uplink(devEui, 100, DateTime.UtcNow, [scenario.Confirming])));
        Assert.Equal(UplinkOutcome.Duplicate, await twin.UplinkAsync(new Uplink(devEui, 100 - FrameWindow.Size - 1, DateTime.UtcNow, [scenario.Confirming])));
        Assert.Equal(UplinkOutcome.Duplicate, await twin.UplinkAsync(new Uplink(devEui, 3, DateTime.UtcNow, [scenario.Confirming])));

        TwinDocument doc = (await twin.GetAsync())!;
        Assert.Equal(version, doc.Version);
        Assert.Equal(100u, doc.FCnt);
        Assert.Equal(UplinkOutcome.Applied, await twin.UplinkAsync(new Uplink(devEui, 101, DateTime.UtcNow, scenario.Uplink)));
    }

    [Fact]
    public async Task Late_frame_is_applied_once_and_never_overwrites_a_newer_reading()
    {
        (ITwinGrain twin, ulong devEui, _) = await TwinScenario.ProvisionAsync(_grains, TwinKind.Streetlight);
        DateTime t0 = DateTime.UtcNow.AddMinutes(-10);
        Assert.Equal(UplinkOutcome.Applied, await twin.UplinkAsync(new Uplink(devEui, 10, t0,
            [Reading.Of(TwinProperty.DimLevel, 10), Reading.Of(TwinProperty.EnergyWh, 100)])));
        Assert.Equal(UplinkOutcome.Applied, await twin.UplinkAsync(new Uplink(devEui, 12, t0.AddMinutes(2),
            [Reading.Of(TwinProperty.DimLevel, 30)], new RadioInfo(-80, 9, "GW-NEW"))));
        long version = (await twin.GetAsync())!.Version;

        // Frame 11 arrives after 12, as it can when two silos share the subscription.
        UplinkOutcome late = await twin.UplinkAsync(new Uplink(devEui, 11, t0.AddMinutes(1),
            [Reading.Of(TwinProperty.DimLevel, 20), Reading.Of(TwinProperty.EnergyWh, 110)], new RadioInfo(-120, -5, "GW-OLD")));

        Assert.Equal(UplinkOutcome.Applied, late);
        TwinDocument doc = (await twin.GetAsync())!;
        Assert.Equal(version + 1, doc.Version);
        Assert.Equal(12u, doc.FCnt);
        Assert.Equal(30, doc.Reported.Single(r => r.Property == TwinProperty.DimLevel).Value.Number);
        Assert.Equal(110, doc.Reported.Single(r => r.Property == TwinProperty.EnergyWh).Value.Number);
        Assert.Equal("GW-NEW", doc.Radio!.Gateway);
        Assert.Equal(t0.AddMinutes(2), doc.LastSeen);

        Assert.Equal(UplinkOutcome.Duplicate, await twin.UplinkAsync(new Uplink(devEui, 11, t0.AddMinutes(1), [Reading.Of(TwinProperty.DimLevel, 20)])));
        Assert.Equal(UplinkOutcome.Duplicate, await twin.UplinkAsync(new Uplink(devEui, 10, t0, [Reading.Of(TwinProperty.DimLevel, 10)])));
        Assert.Equal(version + 1, (await twin.GetAsync())!.Version);
    }

    [Theory]
    [MemberData(nameof(TwinScenario.Kinds), MemberType = typeof(TwinScenario))]
    public async Task Counter_reset_is_accepted_after_a_join_and_not_before(TwinKind kind)
    {
        TwinScenario scenario = TwinScenario.For(kind);
        (ITwinGrain twin, ulong devEui, _) = await TwinScenario.ProvisionAsync(_grains, kind);
        Assert.Equal(UplinkOutcome.Applied, await twin.UplinkAsync(new Uplink(devEui, 5000, DateTime.UtcNow, scenario.Uplink)));
        Assert.Equal(UplinkOutcome.Duplicate, await twin.UplinkAsync(new Uplink(devEui, 0, DateTime.UtcNow, scenario.Uplink)));

        await twin.JoinedAsync(devEui, DateTime.UtcNow);

        Assert.Equal(UplinkOutcome.Applied, await twin.UplinkAsync(new Uplink(devEui, 0, DateTime.UtcNow, scenario.Uplink)));
        Assert.Equal(UplinkOutcome.Duplicate, await twin.UplinkAsync(new Uplink(devEui, 0, DateTime.UtcNow, scenario.Uplink)));
        Assert.Equal(UplinkOutcome.Applied, await twin.UplinkAsync(new Uplink(devEui, 1, DateTime.UtcNow, scenario.Uplink)));
        Assert.Equal(1u, (await twin.GetAsync())!.FCnt);
    }

    [Fact]
    public async Task Uplink_from_a_device_not_bound_to_the_twin_is_refused()
    {
        (ITwinGrain twin, ulong devEui, _) = await TwinScenario.ProvisionAsync(_grains, TwinKind.Streetlight);

        Assert.Equal(UplinkOutcome.NotBound, await twin.UplinkAsync(new Uplink(devEui + 1, 1, DateTime.UtcNow, [Reading.Of(TwinProperty.On, true)])));

        Assert.True(await _grains.GetDevice(devEui).DeleteAsync());
        Assert.Equal(UplinkOutcome.NotBound, await twin.UplinkAsync(new Uplink(devEui, 2, DateTime.UtcNow, [Reading.Of(TwinProperty.On, true)])));
        Assert.Null((await twin.GetAsync())!.DevEui);
    }

    [Theory]
    [MemberData(nameof(TwinScenario.Kinds), MemberType = typeof(TwinScenario))]
    public async Task Twin_goes_offline_after_missing_its_interval_and_back_online_on_the_next_uplink(TwinKind kind)
    {
        TwinScenario scenario = TwinScenario.For(kind);
        (ITwinGrain twin, ulong devEui, _) = await TwinScenario.ProvisionAsync(_grains, kind, reportingIntervalSeconds: 1);
        await twin.UplinkAsync(new Uplink(devEui, 1, DateTime.UtcNow, scenario.Uplink));
        TwinDocument online = (await twin.GetAsync())!;
        Assert.Equal(TwinStatus.Online, online.Status);

        // 1 s interval × the default factor 2.5: offline after 2.5 s of silence, not before. The
        // first look comes 0.5 s in, so a slow machine has 2 s of slack before it would read wrong.
        await Task.Delay(TimeSpan.FromSeconds(0.5));
        Assert.Equal(TwinStatus.Online, (await twin.GetAsync())!.Status);

        // The twin notices by itself, through the silo's due-time queue, a moment after the 2.5 s:
        // wait for that change rather than look once at a fixed time a slow machine may not have
        // reached yet. Reading the twin does not make it go offline (GetAsync changes nothing).
        TwinDocument offline = online;
        await Rules.RuleKit.Eventually(async () => (offline = (await twin.GetAsync())!).Version > online.Version, "the twin's own change on going offline");
        Assert.Equal(TwinStatus.Offline, offline.Status);
        Assert.True(offline.Version > online.Version, "going offline is a change of the twin and bumps its version");

        await twin.UplinkAsync(new Uplink(devEui, 2, DateTime.UtcNow, scenario.Uplink));
        Assert.Equal(TwinStatus.Online, (await twin.GetAsync())!.Status);
    }

    [Theory]
    [MemberData(nameof(TwinScenario.Kinds), MemberType = typeof(TwinScenario))]
    public async Task Delta_shows_desired_values_until_the_device_reports_them(TwinKind kind)
    {
        TwinScenario scenario = TwinScenario.For(kind);
        (ITwinGrain twin, ulong devEui, _) = await TwinScenario.ProvisionAsync(_grains, kind);
        await twin.UplinkAsync(new Uplink(devEui, 1, DateTime.UtcNow, scenario.Uplink));
        long before = (await twin.GetAsync())!.Version;

        long version = await twin.SetDesiredAsync([scenario.Desired], kind.OwningAgency());

        TwinDocument pending = (await twin.GetAsync())!;
        Assert.Equal(before + 1, version);
        DesiredValue desired = Assert.Single(pending.Desired);
        Assert.Equal(kind.OwningAgency(), desired.By);
        DesiredValue delta = Assert.Single(pending.Delta);
        Assert.Equal(scenario.Desired.Property, delta.Property);
        Assert.True(scenario.Desired.Value.SameAs(delta.Value));

        await twin.UplinkAsync(new Uplink(devEui, 2, DateTime.UtcNow, [scenario.Confirming]));

        TwinDocument confirmed = (await twin.GetAsync())!;
        Assert.Empty(confirmed.Delta);
        Assert.Single(confirmed.Desired);
    }

    [Fact]
    public async Task Desired_value_of_another_kind_or_out_of_range_is_refused()
    {
        (ITwinGrain twin, _, _) = await TwinScenario.ProvisionAsync(_grains, TwinKind.Streetlight);

        ArgumentException wrongKind = await Assert.ThrowsAsync<ArgumentException>(() => twin.SetDesiredAsync([Reading.Of(TwinProperty.Valve, "closed")], "azerishig").AsTask());
        Assert.Contains("valve", wrongKind.Message, StringComparison.Ordinal);
        ArgumentException outOfRange = await Assert.ThrowsAsync<ArgumentException>(() => twin.SetDesiredAsync([Reading.Of(TwinProperty.DimLevel, 140)], "azerishig").AsTask());
        Assert.Contains("dimLevel", outOfRange.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bus_position_follows_its_fixes()
    {
        (ITwinGrain twin, ulong devEui, _) = await TwinScenario.ProvisionAsync(_grains, TwinKind.Bus);

        await twin.UplinkAsync(new Uplink(devEui, 1, DateTime.UtcNow, [Reading.Of(TwinProperty.Lat, 40.4211), Reading.Of(TwinProperty.Lon, 49.9012)]));

        Assert.Equal(new GeoPoint(40.4211, 49.9012), (await twin.GetAsync())!.Position);
    }

    [Fact]
    public async Task Moving_a_device_to_another_twin_unbinds_the_first()
    {
        (ITwinGrain first, ulong devEui, _) = await TwinScenario.ProvisionAsync(_grains, TwinKind.WaterMeter);
        string secondId = "WM-moved-" + Guid.NewGuid().ToString("N")[..6];

        await _grains.GetDevice(devEui).RegisterAsync(new DeviceRegistration(
            devEui, TwinKind.WaterMeter, secondId, "moved", new GeoPoint(40.41, 49.87), "axioma-qalcosonic-w1", 900));

        Assert.Null((await first.GetAsync())!.DevEui);
        Assert.Equal(DevEui.Format(devEui), (await _grains.GetTwin(TwinKind.WaterMeter, secondId).GetAsync())!.DevEui);
    }
}
