using System.Diagnostics;
using System.Globalization;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using TwinCity.Bench.Cli;
using TwinCity.Bench.Load;

namespace TwinCity.Bench.Publishing;

/// <summary>
/// The hidden <c>publish</c> sub-command: the load generator, run as its own process so that its CPU
/// is not the platform's. It publishes uplinks round-robin over the bench city (uplink k goes to device
/// k mod N with frame counter first + k div N), QoS 1, keeping a window of publishes in flight, either
/// as fast as the broker acknowledges or paced to a fixed rate. It counts only what the broker
/// acknowledged (PUBACK) and tells the parent on standard output:
/// <c>published {n}</c> every half second and <c>done {n} {seconds} {failed}</c> at the end.
/// </summary>
public static class PublishCommand
{
    public const string Name = "publish";

    public static async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        string host = args.Text("host", "127.0.0.1");
        int port = args.Count("port", 1883);
        int devices = Math.Max(1, args.Count("devices", 1000));
        long uplinks = args.Size("uplinks", devices);
        DeviceMix mix = Enum.Parse<DeviceMix>(args.Text("mix", nameof(DeviceMix.City)), ignoreCase: true);
        double rate = args.Number("rate", 0);
        uint firstFCnt = (uint)Math.Max(1, args.Size("first-fcnt", 1));

        // One device's frames must reach the broker in order (a frame counter seen out of order is a
        // duplicate to the twin): keep fewer publishes in flight than there are devices.
        int window = (int)Math.Clamp(args.Size("window", 1000), 1, Math.Max(1, devices / 2));
        string? stampsPath = args.Text("stamps");
        bool liveStamps = args.Flag("live-stamps");
        string clientId = args.Text("client-id", "bench-publisher-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        foreach (string unknown in args.Unread())
        {
            throw new BenchUsageException($"publish does not take --{unknown}");
        }

        BenchDevice[] city = CityDevices.Create(devices, mix);
        long[]? stamps = stampsPath is null ? null : new long[uplinks];

        // A long run's parent times changes while the publisher still runs: each stamp goes to the
        // file as it is taken (before its publish, so no change can arrive ahead of its stamp).
        using Microsoft.Win32.SafeHandles.SafeFileHandle? live = liveStamps && stampsPath is not null
            ? File.OpenHandle(stampsPath, FileMode.Create, FileAccess.Write, FileShare.ReadWrite)
            : null;
        byte[] stampBytes = new byte[sizeof(long)];

        using IMqttClient client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(
            new MqttClientOptionsBuilder()
                .WithTcpServer(host, port)
                .WithClientId(clientId)
                .WithProtocolVersion(MqttProtocolVersion.V500)
                .WithCleanStart(true)
                .WithTimeout(TimeSpan.FromSeconds(30))
                .WithKeepAlivePeriod(TimeSpan.FromSeconds(60))
                .Build(),
            cancellationToken);

        long acked = 0;
        long failed = 0;
        string? firstFailure = null;
        using var slots = new SemaphoreSlim(window);
        var clock = Stopwatch.StartNew();
        using var reporter = new Timer(_ => Console.Out.WriteLine($"published {Interlocked.Read(ref acked)}"), null, 500, 500);

        async Task PublishOneAsync(MqttApplicationMessage message)
        {
            try
            {
                MqttClientPublishResult result = await client.PublishAsync(message, cancellationToken);
                if (result.IsSuccess || result.ReasonCode == MqttClientPublishReasonCode.NoMatchingSubscribers)
                {
                    Interlocked.Increment(ref acked);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                    firstFailure ??= result.ReasonCode.ToString();
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Interlocked.Increment(ref failed);
                firstFailure ??= ex.Message;
            }
            finally
            {
                slots.Release();
            }
        }

        var pending = new List<Task>(window * 2);
        for (long k = 0; k < uplinks; k++)
        {
            if (rate > 0)
            {
                // Paced: uplink k is due at k / rate seconds; sleep only when more than a millisecond ahead.
                double dueMs = k * 1000.0 / rate;
                double ahead = dueMs - clock.Elapsed.TotalMilliseconds;
                if (ahead > 1)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(ahead), cancellationToken);
                }
            }

            BenchDevice device = city[k % devices];
            uint fCnt = firstFCnt + (uint)(k / devices);
            DateTime now = DateTime.UtcNow;
            MqttApplicationMessage message = new MqttApplicationMessageBuilder()
                .WithTopic(UplinkFactory.Topic(device))
                .WithPayload(UplinkFactory.Up(device, fCnt, now))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build();
            await slots.WaitAsync(cancellationToken);
            if (stamps is not null)
            {
                stamps[k] = DateTime.UtcNow.Ticks;
                if (live is not null)
                {
                    System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(stampBytes, stamps[k]);
                    RandomAccess.Write(live, stampBytes, k * sizeof(long));
                }
            }

            pending.Add(PublishOneAsync(message));
            if (pending.Count >= window * 2)
            {
                pending.RemoveAll(t => t.IsCompleted);
            }
        }

        await Task.WhenAll(pending);
        double seconds = clock.Elapsed.TotalSeconds;
        await reporter.DisposeAsync();
        if (stampsPath is not null && stamps is not null && live is null)
        {
            await using FileStream file = File.Create(stampsPath);
            await file.WriteAsync(System.Runtime.InteropServices.MemoryMarshal.AsBytes(stamps.AsSpan()).ToArray(), cancellationToken);
        }

        if (firstFailure is not null)
        {
            await Console.Error.WriteLineAsync($"first failed publish: {firstFailure}");
        }

        await client.DisconnectAsync(cancellationToken: cancellationToken);
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done {acked} {seconds:0.000} {failed}"));
        return failed == 0 ? 0 : 1;
    }
}
