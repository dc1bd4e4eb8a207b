using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Packets;

namespace TwinCity.Gateway.Ingest.Mqtt;

/// <summary>
/// MQTTnet's own TCP adapter, except that after reading a PUBLISH it waits for a place in the
/// connection's <see cref="WindowConnection"/> before reading on: while the window is full the
/// socket is not read, and the broker keeps the rest.
/// </summary>
internal sealed class WindowedAdapterFactory(WindowConnection window) : IMqttClientAdapterFactory
{
    private readonly MqttClientAdapterFactory _inner = new();

    public IMqttChannelAdapter CreateClientAdapter(MqttClientOptions options, MqttPacketInspector packetInspector, IMqttNetLogger logger) =>
        new WindowedAdapter(_inner.CreateClientAdapter(options, packetInspector, logger), window);

    private sealed class WindowedAdapter(IMqttChannelAdapter inner, WindowConnection window) : IMqttChannelAdapter
    {
        public long BytesReceived => inner.BytesReceived;

        public long BytesSent => inner.BytesSent;

        public X509Certificate2 ClientCertificate => inner.ClientCertificate;

        public EndPoint RemoteEndPoint => inner.RemoteEndPoint;

        public EndPoint LocalEndPoint => inner.LocalEndPoint;

        public bool IsSecureConnection => inner.IsSecureConnection;

        public MqttPacketFormatterAdapter PacketFormatterAdapter => inner.PacketFormatterAdapter;

        public Task ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);

        public Task DisconnectAsync(CancellationToken cancellationToken) => inner.DisconnectAsync(cancellationToken);

        public async Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken)
        {
            MqttPacket packet = await inner.ReceivePacketAsync(cancellationToken);
            if (packet is MqttPublishPacket)
            {
                await window.TakeAsync(cancellationToken);
            }

            return packet;
        }

        public void ResetStatistics() => inner.ResetStatistics();

        public Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken) => inner.SendPacketAsync(packet, cancellationToken);

        public void Dispose()
        {
            window.Close();
            inner.Dispose();
        }
    }
}
