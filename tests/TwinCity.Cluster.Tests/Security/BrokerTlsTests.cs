using MQTTnet;
using MQTTnet.Formatter;
using TwinCity.Gateway.Ingest.Mqtt;
using TwinCity.Testing;

namespace TwinCity.Cluster.Tests.Security;

/// <summary>
/// The silo's broker connections (<see cref="BrokerTls"/>) against mosquitto's TLS listener: the
/// broker's certificate is checked against the configured authority alone, and a broker that asks for
/// a client certificate gets the configured one.
/// </summary>
public sealed class BrokerTlsTests
{
    [Fact]
    public async Task A_silo_connects_to_the_brokers_tls_listener_only_with_the_right_authority_and_its_client_certificate()
    {
        using TestCertificates authority = await TestCertificates.CreateAuthorityAsync("broker-test-ca");
        using TestCertificates stranger = await TestCertificates.CreateAuthorityAsync("stranger-ca");
        IssuedCertificate silo = await authority.IssueAsync("broker-test-silo");
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync(tls: authority);

        var good = new MqttTlsOptions { CertificateAuthority = authority.AuthorityCertificate, Certificate = silo.Certificate, Key = silo.Key };
        Assert.Null(await ConnectAsync(broker.Port, good));

        // The broker's certificate is not of the authority this silo trusts: the silo does not talk to it.
        var wrongAuthority = new MqttTlsOptions { CertificateAuthority = stranger.AuthorityCertificate, Certificate = silo.Certificate, Key = silo.Key };
        Assert.NotNull(await ConnectAsync(broker.Port, wrongAuthority));

        // The broker requires a client certificate: without one it refuses the silo.
        var noClientCertificate = new MqttTlsOptions { CertificateAuthority = authority.AuthorityCertificate };
        Assert.NotNull(await ConnectAsync(broker.Port, noClientCertificate));

        // The broker's certificate names localhost and 127.0.0.1, not another host.
        var wrongName = new MqttTlsOptions { CertificateAuthority = authority.AuthorityCertificate, Certificate = silo.Certificate, Key = silo.Key, ServerName = "broker.elsewhere.example" };
        Assert.NotNull(await ConnectAsync(broker.Port, wrongName));
    }

    private static async Task<Exception?> ConnectAsync(int port, MqttTlsOptions tls)
    {
        var options = new MqttOptions { Host = "127.0.0.1", Port = port, Tls = tls };
        using IMqttClient client = new MqttClientFactory().CreateMqttClient();
        try
        {
            await client.ConnectAsync(new MqttClientOptionsBuilder()
                .WithTcpServer("127.0.0.1", port)
                .WithBrokerTls(options)
                .WithClientId("broker-tls-test-" + Guid.NewGuid().ToString("N")[..8])
                .WithProtocolVersion(MqttProtocolVersion.V500)
                .WithTimeout(TimeSpan.FromSeconds(10))
                .Build());

            // mosquitto may finish refusing a client without a certificate just after the handshake.
            await client.PingAsync();
            await client.DisconnectAsync();
            return null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return ex;
        }
    }
}
