using Microsoft.Extensions.Configuration;
using TwinCity.Silo.Hosting;

namespace TwinCity.Cluster.Tests.Silos;

/// <summary>
/// A cluster silo's ingest differs from the embedded city's where the operator has not said
/// otherwise: it joins the shared subscription, and runs fewer lanes, as many as its cores justify.
/// </summary>
public sealed class ClusterIngestDefaultsTests
{
    [Theory]
    [InlineData(1, 16)]
    [InlineData(2, 32)]
    [InlineData(8, 128)]
    [InlineData(64, 256)]
    public void Lanes_follow_the_cores_the_silo_may_use(int processors, int lanes)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection().Build();

        ClusterHosting.ApplyIngestDefaults(configuration, processors);

        Assert.Equal(lanes.ToString(System.Globalization.CultureInfo.InvariantCulture), configuration["Mqtt:Lanes"]);
        Assert.Equal("twincity", configuration["Mqtt:SharedGroup"]);
    }

    [Fact]
    public void What_the_operator_set_is_kept()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mqtt:Lanes"] = "512",
            ["Mqtt:SharedGroup"] = "baku",
        }).Build();

        ClusterHosting.ApplyIngestDefaults(configuration, processors: 2);

        Assert.Equal("512", configuration["Mqtt:Lanes"]);
        Assert.Equal("baku", configuration["Mqtt:SharedGroup"]);
    }
}
