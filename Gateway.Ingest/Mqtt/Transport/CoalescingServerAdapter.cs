using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Server;

namespace TwinCity.Gateway.Ingest.Mqtt.Transport;

/// <summary>
/// The embedded broker's TCP listener: MQTTnet's own, except that each connection goes through a
/// <see cref="CoalescingChannel"/>, so the broker reads publishers in blocks and sends their
/// acknowledgements together. It serves the options' default (plain TCP) endpoint.
/// </summary>
public sealed partial class CoalescingServerAdapter(ILogger<CoalescingServerAdapter> log) : IMqttServerAdapter
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _connections = [];
    private Socket? _listener;
    private Task _accepting = Task.CompletedTask;

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    /// <summary>The endpoint the listener is bound to, once started (the port is chosen when the options ask for 0).</summary>
    public IPEndPoint? LocalEndPoint => _listener?.LocalEndPoint as IPEndPoint;

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        if (_listener is not null)
        {
            throw new InvalidOperationException("The listener is already started.");
        }

        MqttServerTcpEndpointOptions endpoint = options.DefaultEndpointOptions;
        if (!endpoint.IsEnabled)
        {
            return Task.CompletedTask;
        }

        IPAddress address = endpoint.BoundInterNetworkAddress ?? IPAddress.Any;
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.ReuseAddress)
            {
                listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            }

            listener.Bind(new IPEndPoint(address, endpoint.Port));
            listener.Listen(endpoint.ConnectionBacklog);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listener = listener;
        _accepting = Task.Run(() => AcceptAsync(listener, options, logger));
        return Task.CompletedTask;
    }

    public async Task StopAsync()
    {
        if (_listener is null)
        {
            return;
        }

        await _stopping.CancelAsync();
        _listener.Dispose();
        await _accepting;
        Task[] open;
        lock (_connections)
        {
            open = [.. _connections];
        }

        // The server closes its sessions before it stops its adapters; this waits for their handlers to return.
        await Task.WhenAll(open).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _listener?.Dispose();
        _stopping.Dispose();
    }

    private async Task AcceptAsync(Socket listener, MqttServerOptions options, IMqttNetLogger logger)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                // One failed accept (a client that reset before it was taken) must not close the listener.
                LogAcceptFailed(ex.SocketErrorCode);
                continue;
            }

            Task connection = Task.Run(() => ServeAsync(socket, options, logger));
            lock (_connections)
            {
                _connections.RemoveAll(static t => t.IsCompleted);
                _connections.Add(connection);
            }
        }
    }

    private async Task ServeAsync(Socket socket, MqttServerOptions options, IMqttNetLogger logger)
    {
        MqttServerTcpEndpointOptions endpoint = options.DefaultEndpointOptions;
        try
        {
            socket.NoDelay = endpoint.NoDelay;
            if (endpoint.LingerState is { } linger)
            {
                socket.LingerState = linger;
            }

            EndPoint remote = socket.RemoteEndPoint!;
            EndPoint local = socket.LocalEndPoint!;
            var tcp = new MqttTcpChannel(new NetworkStream(socket, ownsSocket: true), remote, local, null);
            var formatter = new MqttPacketFormatterAdapter(new MqttBufferWriter(options.WriterBufferSize, options.WriterBufferSizeMax));
            using var adapter = new MqttChannelAdapter(new CoalescingChannel(tcp), formatter, logger)
            {
                AllowPacketFragmentation = endpoint.AllowPacketFragmentation,
            };

            Func<IMqttChannelAdapter, Task>? handler = ClientHandler;
            if (handler is not null)
            {
                await handler(adapter);
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away; the server has logged what it needed to.
        }
        catch (Exception ex)
        {
            LogConnectionFailed(ex);
        }
        finally
        {
            socket.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Accepting an MQTT connection failed ({Error}); the broker goes on listening")]
    private partial void LogAcceptFailed(SocketError error);

    [LoggerMessage(Level = LogLevel.Error, Message = "An MQTT connection ended with an unexpected error")]
    private partial void LogConnectionFailed(Exception exception);
}
