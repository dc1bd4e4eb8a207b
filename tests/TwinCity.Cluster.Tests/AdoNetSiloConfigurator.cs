using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace TwinCity.Cluster.Tests;

/// <summary>Silo side of <see cref="AdoNetClusterFixture"/>: the three ADO.NET providers on the "Npgsql" invariant.</summary>
internal sealed class AdoNetSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder)
    {
        string connectionString = siloBuilder.Configuration.GetValue<string>(AdoNetClusterFixture.ConnectionStringKey)
            ?? throw new InvalidOperationException($"{AdoNetClusterFixture.ConnectionStringKey} is not set.");

        siloBuilder.UseAdoNetClustering(o =>
        {
            o.Invariant = TestDatabase.Invariant;
            o.ConnectionString = connectionString;
        });
        siloBuilder.AddAdoNetGrainStorage(AdoNetClusterFixture.StorageName, o =>
        {
            o.Invariant = TestDatabase.Invariant;
            o.ConnectionString = connectionString;
        });
        siloBuilder.AddAdoNetGrainStorage(AdoNetClusterFixture.DeletingStorageName, o =>
        {
            o.Invariant = TestDatabase.Invariant;
            o.ConnectionString = connectionString;
            o.DeleteStateOnClear = true;
        });
        siloBuilder.UseAdoNetReminderService(o =>
        {
            o.Invariant = TestDatabase.Invariant;
            o.ConnectionString = connectionString;
        });
    }
}
