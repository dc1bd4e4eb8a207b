using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace TwinCity.Cluster.Tests;

/// <summary>Client side of <see cref="AdoNetClusterFixture"/>: it finds gateways through the membership table.</summary>
internal sealed class AdoNetClientConfigurator : IClientBuilderConfigurator
{
    public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
    {
        string connectionString = configuration.GetValue<string>(AdoNetClusterFixture.ConnectionStringKey)
            ?? throw new InvalidOperationException($"{AdoNetClusterFixture.ConnectionStringKey} is not set.");

        clientBuilder.UseAdoNetClustering(o =>
        {
            o.Invariant = TestDatabase.Invariant;
            o.ConnectionString = connectionString;
        });
    }
}
