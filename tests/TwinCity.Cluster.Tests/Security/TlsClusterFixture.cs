using TwinCity.Cluster.Tests.Silos;
using TwinCity.Testing;

namespace TwinCity.Cluster.Tests.Security;

/// <summary>
/// Two silos with TLS on every hop, certificates made by the test with openssl: mutual TLS between
/// the silos and on their gateway ports, a mosquitto that takes only TLS with client certificates,
/// and a PostgreSQL server the silos reach with <c>SSL Mode=VerifyFull</c>.
/// </summary>
public sealed class TlsClusterFixture : IAsyncLifetime
{
    private PostgresServer? _postgres;

    internal TestCertificates Authority { get; private set; } = null!;

    internal SiloCluster Cluster { get; private set; } = null!;

    internal CityProcess A { get; private set; } = null!;

    internal CityProcess B { get; private set; } = null!;

    internal string Database { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Authority = await TestCertificates.CreateAuthorityAsync("twincity-test-ca");
        _postgres = await PostgresServer.StartAsync(Authority);
        Cluster = await SiloCluster.CreateTlsAsync(_postgres, Authority, "tls", TimeSpan.FromSeconds(30));
        Database = new Npgsql.NpgsqlConnectionStringBuilder(Cluster.ConnectionString).Database!;
        A = await Cluster.StartSiloAsync("tls-silo-a");
        B = await Cluster.StartSiloAsync("tls-silo-b");
        await SiloCluster.WaitReadyAsync(A, B);
    }

    /// <summary>A plain connection string to the cluster's database as the test's superuser, for looking at the server's own views.</summary>
    internal string ObserverConnectionString => _postgres!.ConnectionString;

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        Authority.Dispose();
    }
}
