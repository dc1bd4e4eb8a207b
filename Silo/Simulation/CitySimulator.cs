using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using TwinCity.Gateway.Ingest.Mqtt;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Silo.Seeding;
using TwinCity.Web.Health;

namespace TwinCity.Silo.Simulation;

/// <summary>
/// Plays the seed city's devices as a ChirpStack network server would: uplinks (and joins,
/// transmission and delivery acknowledgements) published on the broker, payloads in each device's
/// own codec. It is an outside client of the platform like any network server: its own MQTT
/// connection and nothing else, so what it sends travels the same path as a real city's uplinks.
/// </summary>
/// <remarks>
/// Every 100 ms it moves the buses and gives the next devices their turn, as many as the configured
/// rate allows for the time that passed. While the broker is unreachable the devices stay quiet and
/// the simulator tries again with a growing wait; nothing it meets stops the host.
/// </remarks>
internal sealed partial class CitySimulator(
    IOptions<SimulatorOptions> options,
    IOptions<MqttOptions> mqttOptions,
    IOptions<SeedOptions> seedOptions,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    IServiceProvider services,
    ILogger<CitySimulator> logger) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentQueue<Downlink> _downlinks = new();
    private string _downlinkFilter = string.Empty;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
        catch (Exception ex)
        {
            LogStopped(ex);
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        SimulatorOptions o = options.Value;
        SimulatedCity? city = LoadCity(o);
        if (city is null)
        {
            return;
        }

        await WaitUntilReadyAsync(o, stoppingToken);

        MqttOptions mqtt = mqttOptions.Value;
        string host = mqtt.BrokerHost;
        LogPlaying(city.Devices.Count, city.Count(TwinKind.Streetlight), city.Count(TwinKind.WaterMeter), city.Count(TwinKind.RoadSensor),
            city.Count(TwinKind.Bus), o.DevicesPerSecond, o.ApplicationId, host, mqtt.Port);

        _downlinkFilter = city.Messages.DownlinkFilter;
        using IMqttClient client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += OnDownlinkAsync;
        client.DisconnectedAsync += e =>
        {
            if (e.ClientWasConnected && !stoppingToken.IsCancellationRequested)
            {
                LogDisconnected(host, mqtt.Port, e.Reason.ToString());
            }

            return Task.CompletedTask;
        };

        Task connection = KeepConnectedAsync(client, mqtt, o, stoppingToken);
        try
        {
            await PlayAsync(client, city, o, stoppingToken);
        }
        finally
        {
            await connection;
            await CloseAsync(client);
        }
    }

    private SimulatedCity? LoadCity(SimulatorOptions o)
    {
        string devices = Path.Combine(AppContext.BaseDirectory, seedOptions.Value.Devices);
        string city = Path.Combine(AppContext.BaseDirectory, seedOptions.Value.City);
        if (!File.Exists(devices))
        {
            LogNoDevices(devices);
            return null;
        }

        if (!File.Exists(city))
        {
            LogNoCity(city);
        }

        int seed = o.Seed ?? Random.Shared.Next();
        SimulatedCity simulated = SimulatedCity.Load(devices, city, o.ApplicationId, seed, o.TimeScale, time.GetUtcNow().UtcDateTime,
            (line, reason) => LogBadLine(devices, line, reason), o.EventRate);
        if (simulated.Unsupported.Count > 0)
        {
            LogUnsupported(simulated.Unsupported.Count, string.Join(", ", simulated.Unsupported.Select(s => s.Codec).Distinct()));
        }

        return simulated;
    }

    /// <summary>
    /// Waits for the host to start and the city to be ready, so that the first uplinks find their
    /// devices provisioned instead of filling the dead letters.
    /// </summary>
    private async Task WaitUntilReadyAsync(SimulatorOptions o, CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        if (services.GetService(typeof(Readiness)) is not Readiness readiness)
        {
            return;
        }

        DateTimeOffset deadline = time.GetUtcNow() + o.ReadyTimeout;
        while (readiness.Pending.Count > 0)
        {
            if (time.GetUtcNow() >= deadline)
            {
                LogNotReady(o.ReadyTimeout.TotalSeconds, string.Join(", ", readiness.Pending.Keys));
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), time, stoppingToken);
        }
    }

    private async Task KeepConnectedAsync(IMqttClient client, MqttOptions mqtt, SimulatorOptions o, CancellationToken stoppingToken)
    {
        string host = mqtt.BrokerHost;
        TimeSpan delay = TimeSpan.FromMilliseconds(250);
        while (!stoppingToken.IsCancellationRequested)
        {
            if (!client.IsConnected)
            {
                try
                {
                    await ConnectAsync(client, mqtt, stoppingToken);
                    delay = TimeSpan.FromMilliseconds(250);
                    LogConnected(host, mqtt.Port);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    LogConnectFailed(host, mqtt.Port, delay.TotalSeconds, ex.Message);
                    if (!await DelayAsync(delay, stoppingToken))
                    {
                        return;
                    }

                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, Math.Max(o.MaxReconnectDelay.Ticks, TimeSpan.FromMilliseconds(250).Ticks)));
                    continue;
                }
            }

            if (!await DelayAsync(TimeSpan.FromMilliseconds(500), stoppingToken))
            {
                return;
            }
        }
    }

    private async Task ConnectAsync(IMqttClient client, MqttOptions mqtt, CancellationToken stoppingToken)
    {
        // A fresh client id and a clean session: a network server's uplinks are not kept for it.
        MqttClientOptionsBuilder builder = new MqttClientOptionsBuilder()
            .WithTcpServer(mqtt.BrokerHost, mqtt.Port)
            .WithBrokerTls(mqtt)
            .WithClientId($"twincity-sim-{Guid.NewGuid():N}")
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(true)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (!string.IsNullOrEmpty(mqtt.Username))
        {
            builder = builder.WithCredentials(mqtt.Username, mqtt.Password);
        }

        await client.ConnectAsync(builder.Build(), stoppingToken);
        MqttClientSubscribeOptions subscribe = new MqttClientFactory().CreateSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(_downlinkFilter).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .Build();
        await client.SubscribeAsync(subscribe, stoppingToken);
    }

    private async Task PlayAsync(IMqttClient client, SimulatedCity city, SimulatorOptions o, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick, time);
        var batch = new List<OutgoingMessage>(Math.Max(64, o.DevicesPerSecond / 5));
        DateTime last = time.GetUtcNow().UtcDateTime;
        DateTime minuteStarted = last;
        double carry = 0;
        var counts = new PublishCounts();
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            DateTime now = time.GetUtcNow().UtcDateTime;
            double elapsed = Math.Clamp((now - last).TotalSeconds, 0, 0.5);
            last = now;
            batch.Clear();
            try
            {
                city.Advance(now);
                while (_downlinks.TryDequeue(out Downlink downlink))
                {
                    if (!city.Deliver(downlink.DevEui, downlink.FPort, downlink.Data, downlink.Id, downlink.Confirmed, now, batch))
                    {
                        LogUnknownDownlink(downlink.DevEui);
                    }
                }

                if (client.IsConnected)
                {
                    // Turns follow the clock, so a late tick makes up for the time it lost; the
                    // elapsed time is capped so that a stall does not end in a burst.
                    carry += o.DevicesPerSecond * elapsed;
                    int turns = (int)carry;
                    carry -= turns;
                    city.TakeTurns(turns, now, batch);
                }
                else
                {
                    carry = 0;
                }

                if (batch.Count > 0)
                {
                    await PublishAsync(client, batch, counts, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                // One bad tick (a model's bug, a codec refusing a value) must not end the city.
                LogTickFailed(ex);
            }

            if (now - minuteStarted >= TimeSpan.FromMinutes(1))
            {
                LogMinute(counts.Uplinks, counts.Uplinks / (now - minuteStarted).TotalSeconds, counts.Others, counts.Failed);
                counts = new PublishCounts();
                minuteStarted = now;
            }
        }
    }

    /// <summary>
    /// Publishes a tick's events: joins first, so that the broker (and ingest's per-device order after
    /// it) sees a device's join before the uplink that follows it; then everything else at once. A
    /// join that did not reach the broker is sent again on the device's next turn.
    /// </summary>
    private static async Task PublishAsync(IMqttClient client, List<OutgoingMessage> batch, PublishCounts counts, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(PublishTimeout);
        foreach (bool joins in new[] { true, false })
        {
            var messages = batch.Where(m => (m.Kind == OutgoingKind.Join) == joins).ToList();
            if (messages.Count == 0)
            {
                continue;
            }

            bool[] results = await Task.WhenAll(messages.Select(m => PublishOneAsync(client, m, timeout.Token)));
            for (int i = 0; i < messages.Count; i++)
            {
                if (results[i] && messages[i].Kind == OutgoingKind.Up)
                {
                    counts.Uplinks++;
                }
                else if (results[i])
                {
                    counts.Others++;
                }
                else
                {
                    counts.Failed++;
                    if (messages[i].Kind == OutgoingKind.Join)
                    {
                        messages[i].Device.Joined = false;
                    }
                }
            }
        }

        stoppingToken.ThrowIfCancellationRequested();
    }

    private static async Task<bool> PublishOneAsync(IMqttClient client, OutgoingMessage message, CancellationToken cancellationToken)
    {
        try
        {
            MqttApplicationMessage m = new MqttApplicationMessageBuilder()
                .WithTopic(message.Topic)
                .WithPayload(message.Payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build();
            MqttClientPublishResult result = await client.PublishAsync(m, cancellationToken);
            return result.IsSuccess;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The connection went away meanwhile: the uplink is lost, as a radio frame would be.
            return false;
        }
    }

    private Task OnDownlinkAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        try
        {
            string topic = e.ApplicationMessage.Topic;
            string[] parts = topic.Split('/');
            string? devEui = parts.Length == 6 ? parts[3] : null;
            using JsonDocument doc = JsonDocument.Parse(e.ApplicationMessage.Payload);
            JsonElement root = doc.RootElement;
            if (root.TryGetProperty("devEui", out JsonElement d) && d.ValueKind == JsonValueKind.String)
            {
                devEui = d.GetString();
            }

            int fPort = root.TryGetProperty("fPort", out JsonElement p) && p.TryGetInt32(out int port) ? port : 0;
            byte[] data = root.TryGetProperty("data", out JsonElement b) && b.ValueKind == JsonValueKind.String ? b.GetBytesFromBase64() : [];
            bool confirmed = root.TryGetProperty("confirmed", out JsonElement c) && c.ValueKind == JsonValueKind.True;
            string? id = root.TryGetProperty("id", out JsonElement i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
            if (devEui is not null)
            {
                _downlinks.Enqueue(new Downlink(devEui, fPort, data, id, confirmed));
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            LogBadDownlink(e.ApplicationMessage.Topic, ex.Message);
        }

        return Task.CompletedTask;
    }

    private static async Task<bool> DelayAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, stoppingToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task CloseAsync(IMqttClient client)
    {
        try
        {
            if (client.IsConnected)
            {
                await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build());
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Closing a connection that already broke.
        }
    }

    private readonly record struct Downlink(string DevEui, int FPort, byte[] Data, string? Id, bool Confirmed);

    private sealed class PublishCounts
    {
        public long Uplinks;
        public long Others;
        public long Failed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulator playing {Devices} devices ({Streetlights} streetlights, {WaterMeters} water meters, {RoadSensors} road sensors, {Buses} buses) at {Rate} uplinks/s as ChirpStack application '{ApplicationId}' on {Host}:{Port}")]
    private partial void LogPlaying(int devices, int streetlights, int waterMeters, int roadSensors, int buses, int rate, string applicationId, string host, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulator connected to MQTT broker {Host}:{Port}")]
    private partial void LogConnected(string host, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Simulator cannot reach MQTT broker {Host}:{Port} ({Reason}); trying again in {Seconds:F1} s")]
    private partial void LogConnectFailed(string host, int port, double seconds, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Simulator lost MQTT broker {Host}:{Port} ({Reason}); reconnecting")]
    private partial void LogDisconnected(string host, int port, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulator published {Uplinks} uplinks in the last minute ({PerSecond:F0}/s) and {Others} joins and acknowledgements; {Failed} did not reach the broker")]
    private partial void LogMinute(long uplinks, double perSecond, long others, long failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Simulator: seed devices file {Path} not found; nothing to play")]
    private partial void LogNoDevices(string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Simulator: seed city file {Path} not found; buses stay parked")]
    private partial void LogNoCity(string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Simulator: seed file {Path} line {Line} skipped: {Reason}")]
    private partial void LogBadLine(string path, int line, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulator leaves {Count} seed devices silent: it does not play their codecs ({Codecs})")]
    private partial void LogUnsupported(int count, string codecs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Simulator starts after waiting {Seconds:F0} s for the city to be ready (still waiting for {Pending})")]
    private partial void LogNotReady(double seconds, string pending);

    [LoggerMessage(Level = LogLevel.Error, Message = "Simulator tick failed; carrying on")]
    private partial void LogTickFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Simulator stopped")]
    private partial void LogStopped(Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Simulator: downlink for unknown device {DevEui} ignored")]
    private partial void LogUnknownDownlink(string devEui);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Simulator: unreadable downlink on {Topic} ignored: {Reason}")]
    private partial void LogBadDownlink(string topic, string reason);
}
