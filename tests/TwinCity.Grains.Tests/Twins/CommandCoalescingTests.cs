using TwinCity.Grains.Interfaces.Commands;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Tests.Twins;

/// <summary>A twin's own rules for commands and frames, on a test cluster without a downlink publisher (commands stay pending).</summary>
[Collection(ClusterCollection.Name)]
public sealed class CommandCoalescingTests(ClusterFixture fixture)
{
    private readonly IGrainFactory _grains = fixture.Grains;

    [Fact]
    public async Task A_newer_command_of_the_same_name_replaces_the_one_still_unsent()
    {
        (ITwinGrain meter, _, _) = await TwinScenario.ProvisionAsync(_grains, TwinKind.WaterMeter);

        CommandResult first = await meter.IssueCommandAsync(new CommandRequest("readNow", [], "azersu", TimeSpan.FromMinutes(5)));
        CommandResult second = await meter.IssueCommandAsync(new CommandRequest("readNow", [], "azersu", TimeSpan.FromMinutes(5)));

        Assert.Equal(CommandOutcome.Accepted, second.Outcome);
        CommandInfo replaced = (await meter.GetCommandAsync(first.Command!.Id))!;
        Assert.Equal(CommandStatus.Superseded, replaced.Status);
        Assert.Equal(CommandStatus.Pending, (await meter.GetCommandAsync(second.Command!.Id))!.Status);
    }

    [Fact]
    public async Task Arguments_the_catalogue_does_not_name_are_refused_by_the_twin_whatever_path_they_came_by()
    {
        (ITwinGrain lamp, _, _) = await TwinScenario.ProvisionAsync(_grains, TwinKind.Streetlight);

        ArgumentException refused = await Assert.ThrowsAsync<ArgumentException>(() => lamp.IssueCommandAsync(
            new CommandRequest("dim", [Reading.Of(TwinProperty.DimLevel, 50)], "rule:x", TimeSpan.FromMinutes(5), """{"level":50,"command":"other"}""")));

        Assert.Contains("'args.command'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_frame_counter_that_jumps_too_far_leaves_no_trace_and_a_join_resets_the_check()
    {
        TwinScenario scenario = TwinScenario.For(TwinKind.Streetlight);
        (ITwinGrain lamp, ulong devEui, _) = await TwinScenario.ProvisionAsync(_grains, TwinKind.Streetlight);
        Assert.Equal(UplinkOutcome.Applied, await lamp.UplinkAsync(new Uplink(devEui, 10, DateTime.UtcNow, scenario.Uplink)));

        Assert.Equal(UplinkOutcome.FrameCounterJump, await lamp.UplinkAsync(new Uplink(devEui, 0xFFFFFFFF, DateTime.UtcNow, scenario.Uplink)));
        Assert.Equal(10u, (await lamp.GetAsync())!.FCnt);
        Assert.Equal(UplinkOutcome.Applied, await lamp.UplinkAsync(new Uplink(devEui, 10 + 16_384, DateTime.UtcNow, scenario.Uplink)));

        await lamp.JoinedAsync(devEui, DateTime.UtcNow);
        Assert.Equal(UplinkOutcome.Applied, await lamp.UplinkAsync(new Uplink(devEui, 3_000_000, DateTime.UtcNow, scenario.Uplink)));
    }
}
