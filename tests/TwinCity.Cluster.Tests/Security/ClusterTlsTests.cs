using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Configuration;
using Orleans.Connections.Security;
using TwinCity.Cluster.Tests.Silos;
using TwinCity.Grains.Interfaces.Rules;
using TwinCity.Testing;

namespace TwinCity.Cluster.Tests.Security;

/// <summary>
/// TLS on every hop of a cluster (issue 21): silos that talk over mutual TLS serve ingest taken from
/// mosquitto's TLS listener and keep their state over verified PostgreSQL TLS, and an Orleans client
/// that cannot show a certificate of the cluster's authority gets no grain call through a gateway port.
/// </summary>
public sealed class ClusterTlsTests(TlsClusterFixture tls) : IClassFixture<TlsClusterFixture>
{
    [Fact]
    public async Task Two_silos_on_mutual_tls_apply_uplinks_taken_from_the_brokers_tls_listener()
    {
        SiloCluster cluster = tls.Cluster;

        // Both silos are members: they reached each other's silo port over mutual TLS.
        await SiloCluster.AddressOfAsync(tls.A, cluster.SiloPortOf(tls.B), expectedActive: 2);
        await SiloCluster.AddressOfAsync(tls.B, cluster.SiloPortOf(tls.A), expectedActive: 2);

        using HttpClient viaA = SiloCluster.Client(tls.A);
        using HttpClient viaB = SiloCluster.Client(tls.B);
        CityFleet fleet = await CityFleet.ProvisionAsync(viaA, 12, "TLS");
        await using TestPublisher publisher = await TestPublisher.ConnectAsync(cluster.Broker.Port, tls: cluster.Broker.ClientTls());
        await fleet.PublishRoundsAsync(publisher, 1, 2, TimeSpan.FromMilliseconds(100));

        await SiloCluster.UntilAsync(
            async () =>
            {
                foreach ((_, string id) in fleet.Devices)
                {
                    if (await SiloCluster.TwinFCntAsync(viaB, id) != 2)
                    {
                        return false;
                    }
                }

                return true;
            },
            TimeSpan.FromSeconds(60),
            () => Task.FromResult("not every twin applied frame 2:\n" + tls.A.LogTail(40) + "\n" + tls.B.LogTail(40)));

        // The broker's shared subscription gave uplinks to both silos, so both took them over TLS.
        Assert.True(await SiloCluster.MetricAsync(tls.A, "twincity_twins_uplinks_total") > 0, "silo a applied no uplink");
        Assert.True(await SiloCluster.MetricAsync(tls.B, "twincity_twins_uplinks_total") > 0, "silo b applied no uplink");

        // Every connection the silos hold to the database is encrypted.
        await using var observer = new NpgsqlConnection(tls.ObserverConnectionString);
        await observer.OpenAsync();
        await using var query = new NpgsqlCommand(
            "SELECT count(*) FILTER (WHERE s.ssl), count(*) FILTER (WHERE NOT s.ssl) FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.datname = @db",
            observer);
        query.Parameters.AddWithValue("db", tls.Database);
        await using NpgsqlDataReader counts = await query.ExecuteReaderAsync();
        Assert.True(await counts.ReadAsync());
        Assert.True(counts.GetInt64(0) > 0, "no silo connection to the database uses TLS");
        Assert.Equal(0, counts.GetInt64(1));
    }

    [Fact]
    public async Task An_orleans_client_without_a_certificate_cannot_call_a_grain_through_the_gateway()
    {
        Exception? refused = await CallThroughGatewayAsync(tls.Cluster.GatewayPortOf(tls.A), configureTls: null);
        Assert.NotNull(refused);
    }

    [Fact]
    public async Task An_orleans_client_with_a_certificate_of_another_authority_cannot_call_a_grain_through_the_gateway()
    {
        using TestCertificates stranger = await TestCertificates.CreateAuthorityAsync("another-ca");
        IssuedCertificate foreign = await stranger.IssueAsync("intruder");
        Exception? refused = await CallThroughGatewayAsync(tls.Cluster.GatewayPortOf(tls.A), c => UseClientTls(c, foreign));
        Assert.NotNull(refused);
    }

    [Fact]
    public async Task An_orleans_client_with_a_certificate_of_the_clusters_authority_calls_a_grain_through_the_gateway()
    {
        // The control for the two refusals above: the same client, with a certificate the cluster trusts, gets through.
        IssuedCertificate trusted = await tls.Authority.IssueAsync("operator-tool");
        Exception? failure = await CallThroughGatewayAsync(tls.Cluster.GatewayPortOf(tls.A), c => UseClientTls(c, trusted));
        Assert.Null(failure);
    }

    private static void UseClientTls(IClientBuilder client, IssuedCertificate issued)
    {
        using var pem = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(issued.Certificate, issued.Key);
        var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(
            pem.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12), null);
        client.UseTls(certificate, o =>
        {
            // Under test is the silo's check of the client; the client takes the silo's word.
            o.AllowAnyRemoteCertificate();
            o.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        });
    }

    /// <summary>Connects an Orleans client to the gateway port and lists the city's rules; the failure, or null when the call succeeded.</summary>
    private static async Task<Exception?> CallThroughGatewayAsync(int gatewayPort, Action<IClientBuilder>? configureTls)
    {
        using IHost host = new HostBuilder()
            .UseOrleansClient(client =>
            {
                client.UseStaticClustering(new IPEndPoint(IPAddress.Loopback, gatewayPort));
                client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = "twincity";
                    o.ServiceId = "twincity";
                });
                configureTls?.Invoke(client);

                // A refused client fails fast with the reason rather than retrying until the timeout;
                // a few attempts still ride out a silo that is slow to answer the first.
                int attempts = 0;
                client.UseConnectionRetryFilter(async (_, cancellationToken) =>
                {
                    if (++attempts >= 3)
                    {
                        return false;
                    }

                    await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                    return true;
                });
            })
            .Build();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await host.StartAsync(timeout.Token);
            IClusterClient client = host.Services.GetRequiredService<IClusterClient>();
            _ = await client.GetGrain<IRuleRegistryGrain>(0).ListAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            return null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return ex;
        }
        finally
        {
            try
            {
                await host.StopAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A client that never connected may fail to stop cleanly; the verdict is above.
            }
        }
    }
}
