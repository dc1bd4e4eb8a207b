using Microsoft.Extensions.Configuration;
using TwinCity.Silo.Hosting;

namespace TwinCity.Cluster.Tests.Silos;

/// <summary>A cluster silo joins the shared subscription under TwinCity's group unless the operator names another.</summary>
public sealed class ClusterIngestDefaultsTests
{
    [Fact]
    public void Without_a_group_the_silo_joins_twincitys()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection().Build();

        ClusterHosting.ApplyIngestDefaults(configuration);

        Assert.Equal("twincity", configuration["Mqtt:SharedGroup"]);
    }

    [Fact]
    public void A_group_the_operator_set_is_kept()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mqtt:SharedGroup"] = "baku",
        }).Build();

        ClusterHosting.ApplyIngestDefaults(configuration);

        Assert.Equal("baku", configuration["Mqtt:SharedGroup"]);
    }
}
