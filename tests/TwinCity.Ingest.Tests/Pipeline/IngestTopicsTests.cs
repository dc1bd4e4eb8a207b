using TwinCity.Gateway.Ingest.Pipeline;

namespace TwinCity.Ingest.Tests.Pipeline;

public sealed class IngestTopicsTests
{
    [Theory]
    [InlineData("application/city/device/70b3d57ed0000001/event/up")]
    [InlineData("application/city/device/70b3d57ed0000001/event/join")]
    [InlineData("application/city/device/70b3d57ed0000001/event/teleport")]
    [InlineData("v3/city-lights@baku/devices/sl-0001/up")]
    [InlineData("v3/city-lights@baku/devices/sl-0001/join")]
    [InlineData("v3/city-lights@baku/devices/sl-0001/down/sent")]
    [InlineData("v3/city-lights@baku/devices/sl-0001/down/failed")]
    public void Topics_of_the_network_servers_subscriptions_are_events_for_ingest(string topic) =>
        Assert.True(IngestTopics.IsNetworkServerEvent(topic));

    [Theory]
    [InlineData("v3/city-lights@baku/devices/sl-0001/down/push")]
    [InlineData("v3/city-lights@baku/devices/sl-0001/down/replace")]
    [InlineData("application/city/device/70b3d57ed0000001/command/down")]
    [InlineData("application/city/device/70b3d57ed0000001/event")]
    [InlineData("application/city/device/70b3d57ed0000001/event/up/extra")]
    [InlineData("v3/city-lights@baku/devices/sl-0001/uplink")]
    [InlineData("v3/city-lights@baku/devices/sl-0001/down")]
    [InlineData("v3/city-lights@baku/devices/sl-0001/down/sent/more")]
    [InlineData("twincity/anything")]
    [InlineData("")]
    public void Downlinks_and_other_topics_are_not(string topic) =>
        Assert.False(IngestTopics.IsNetworkServerEvent(topic));

    [Theory]
    [InlineData("v3/city-lights@baku/devices/sl-0001/down/push", true)]
    [InlineData("v3/city-lights@baku/devices/sl-0001/down/replace", true)]
    [InlineData("v3/city-lights@baku/devices/sl-0001/down/queued", false)]
    [InlineData("application/city/device/70b3d57ed0000001/command/down", false)]
    [InlineData("v3/city-lights@baku/devices/sl-0001/up", false)]
    public void A_downlink_request_is_told_from_the_network_servers_downlink_events(string topic, bool request) =>
        Assert.Equal(request, IngestTopics.IsDownlinkRequest(topic));

    [Fact]
    public void One_device_keeps_one_lane_whatever_its_event_and_the_case_of_its_DevEui()
    {
        int lane = IngestTopics.LaneOf("application/city/device/70b3d57ed0000001/event/up", 64);
        Assert.Equal(lane, IngestTopics.LaneOf("application/city/device/70B3D57ED0000001/event/status", 64));
        Assert.Equal(lane, IngestTopics.LaneOf("application/other/device/70b3d57ed0000001/event/join", 64));
        Assert.InRange(lane, 0, 63);
        Assert.Equal(IngestTopics.LaneOf("v3/a@b/devices/sl-0001/up", 64), IngestTopics.LaneOf("v3/a@b/devices/sl-0001/down/sent", 64));
    }

    [Fact]
    public void Devices_spread_over_the_lanes()
    {
        var lanes = new HashSet<int>();
        for (int i = 0; i < 1000; i++)
        {
            lanes.Add(IngestTopics.LaneOf($"application/city/device/70b3d57ed{i:x7}/event/up", 64));
        }

        Assert.True(lanes.Count >= 60, $"1,000 devices took only {lanes.Count} of 64 lanes");
    }
}
