using TwinCity.Gateway.Ingest.Mqtt;

namespace TwinCity.Ingest.Tests.Mqtt;

public sealed class BrokerWatchersTests
{
    private const string ChirpStackUp = "application/city/device/0102030405060708/event/up";
    private const string TtsUp = "v3/city-lights@baku/devices/sl-1/up";

    [Fact]
    public void Nobody_watching_matches_nothing()
    {
        var watchers = new BrokerWatchers();

        Assert.False(watchers.AnyMatch(ChirpStackUp));
        Assert.Empty(watchers.Filters);
    }

    [Fact]
    public void A_downlink_subscription_does_not_watch_uplinks_and_a_wildcard_does()
    {
        var watchers = new BrokerWatchers();
        watchers.Subscribed("simulator", "application/+/device/+/command/down");
        Assert.False(watchers.AnyMatch(ChirpStackUp));

        watchers.Subscribed("newcomer", "#");
        Assert.True(watchers.AnyMatch(ChirpStackUp));
        Assert.True(watchers.AnyMatch(TtsUp));
    }

    [Fact]
    public void A_shared_subscription_matches_as_its_filter_does()
    {
        var watchers = new BrokerWatchers();
        watchers.Subscribed("consumer", "$share/twincity/application/+/device/+/event/+");

        Assert.True(watchers.AnyMatch(ChirpStackUp));
        Assert.False(watchers.AnyMatch(TtsUp));
    }

    [Fact]
    public void A_filter_goes_when_its_last_holder_unsubscribes_or_its_session_ends()
    {
        var watchers = new BrokerWatchers();
        watchers.Subscribed("a", "application/#");
        watchers.Subscribed("b", "application/#");

        watchers.Unsubscribed("a", "application/#");
        Assert.True(watchers.AnyMatch(ChirpStackUp));

        watchers.SessionDeleted("b");
        Assert.False(watchers.AnyMatch(ChirpStackUp));
        Assert.Empty(watchers.Filters);
    }
}
