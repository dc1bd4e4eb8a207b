using System.Buffers;
using System.Globalization;
using System.Net;
using MQTTnet;
using MQTTnet.Formatter;
using TwinCity.Gateway.Ingest.Affinity;

namespace TwinCity.Bench.Rig;

/// <summary>
/// Whether the broker still keeps a session under a client id, asked the only way MQTT allows: connect
/// under that id with clean start off and read the session-present flag of the CONNACK.
/// </summary>
/// <remarks>
/// The check connects with a session expiry of 0 (MQTT 5), so it never leaves a session behind when
/// there was none. When there was one, the connection takes it over and, closing with that expiry,
/// ends it: a check is the last thing done with a session, never a look taken while it matters.
/// </remarks>
public static class BrokerSession
{
    /// <summary>How long a check that found a session waits for what the broker still held for it.</summary>
    private static readonly TimeSpan HeldWait = TimeSpan.FromSeconds(1);

    public static async Task<BrokerSessionCheck> CheckAsync(int port, string clientId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        using IMqttClient client = new MqttClientFactory().CreateMqttClient();
        var held = new List<byte[]>();
        client.ApplicationMessageReceivedAsync += e =>
        {
            // Not acknowledged: the check takes nothing away that another client could still be owed.
            e.AutoAcknowledge = false;
            byte[] payload = e.ApplicationMessage.Payload.ToArray();
            lock (held)
            {
                held.Add(payload);
            }

            return Task.CompletedTask;
        };
        MqttClientConnectResult connected = await client.ConnectAsync(
            new MqttClientOptionsBuilder()
                .WithTcpServer("127.0.0.1", port)
                .WithClientId(clientId)
                .WithProtocolVersion(MqttProtocolVersion.V500)
                .WithCleanStart(false)
                .WithSessionExpiryInterval(0)
                .WithTimeout(TimeSpan.FromSeconds(10))
                .Build(),
            cancellationToken);
        bool present = connected.IsSessionPresent;
        if (present)
        {
            await Task.Delay(HeldWait, cancellationToken);
        }

        await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), cancellationToken);
        lock (held)
        {
            return new BrokerSessionCheck(clientId, present, [.. held]);
        }
    }

    /// <summary>
    /// The client id under which a cluster silo holds its broker session, from its address as Orleans
    /// writes it (<c>S10.0.0.5:11111:487654321</c>, as <c>GET /api/v1/cluster</c> lists it): the
    /// platform's own naming (<see cref="SiloSession.ClientIdOf"/>).
    /// </summary>
    public static string ClusterClientId(string group, string siloAddress)
    {
        ArgumentNullException.ThrowIfNull(siloAddress);
        string text = siloAddress.StartsWith('S') ? siloAddress[1..] : siloAddress;
        int generationAt = text.LastIndexOf(':');
        if (generationAt <= 0
            || !int.TryParse(text.AsSpan(generationAt + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out int generation)
            || !IPEndPoint.TryParse(text[..generationAt], out IPEndPoint? endpoint))
        {
            throw new FormatException($"'{siloAddress}' is not a silo address such as S10.0.0.5:11111:487654321");
        }

        return SiloSession.ClientIdOf(group, SiloAddress.New(endpoint, generation));
    }
}
