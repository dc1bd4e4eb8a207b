using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Packets;
using TwinCity.Gateway.Ingest.Mqtt.Transport;

namespace TwinCity.Gateway.Ingest.Mqtt;

/// <summary>
/// MQTTnet's own TCP adapter, except that after reading a PUBLISH it waits for a place in the
/// connection's <see cref="WindowConnection"/> before reading on: while the window is full the
/// socket is not read, and the broker keeps the rest. A TCP connection goes through a
/// <see cref="CoalescingChannel"/>, which reads the broker's messages in blocks and sends ingest's
/// acknowledgements together.
/// </summary>
internal sealed class WindowedAdapterFactory(WindowConnection window) : IMqttClientAdapterFactory
{
    private readonly MqttClientAdapterFactory _inner = new();

    public IMqttChannelAdapter CreateClientAdapter(MqttClientOptions options, MqttPacketInspector packetInspector, IMqttNetLogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        IMqttChannelAdapter inner = options.ChannelOptions is MqttClientTcpOptions
            ? new MqttChannelAdapter(
                new CoalescingChannel(new MqttTcpChannel(options)),
                new MqttPacketFormatterAdapter(options.ProtocolVersion, new MqttBufferWriter(options.WriterBufferSize, options.WriterBufferSizeMax)),
                logger)
            {
                AllowPacketFragmentation = options.AllowPacketFragmentation,
                PacketInspector = packetInspector,
            }
            : _inner.CreateClientAdapter(options, packetInspector, logger);
        return new WindowedAdapter(inner, window);
    }

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
