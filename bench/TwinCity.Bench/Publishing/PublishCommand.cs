using System.Diagnostics;
using System.Globalization;
using TwinCity.Bench.Cli;
using TwinCity.Bench.Load;

namespace TwinCity.Bench.Publishing;

/// <summary>
/// The hidden <c>publish</c> sub-command: the load generator, run as its own process so that its CPU
/// is not the platform's. It publishes uplinks round-robin over the bench city (uplink k goes to device
/// k mod N with frame counter first + k div N), QoS 1 over MQTT 5 (<see cref="LeanMqttConnection"/>), keeping a
/// window of publishes in flight, either as fast as the broker acknowledges or paced to a fixed rate. It counts only what the broker
/// acknowledged (PUBACK) and tells the parent on standard output:
/// <c>published {n}</c> every half second and <c>done {n} {seconds} {failed}</c> at the end.
/// An unpaced run writes all its events before it connects (<see cref="PrebuiltFrames"/>), when they
/// fit in <c>--prebuild-mib</c> (4,096 by default; 0 never): while they are sent, the CPU it shares
/// with the platform goes to MQTT alone. Paced runs write each event as it is due, with its own time.
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
        long prebuildBytes = args.Size("prebuild-mib", 4096) * 1024 * 1024;
        foreach (string unknown in args.Unread())
        {
            throw new BenchUsageException($"publish does not take --{unknown}");
        }

        BenchDevice[] city = CityDevices.Create(devices, mix);
        long[]? stamps = stampsPath is null ? null : new long[uplinks];
        PrebuiltFrames? prebuilt = rate <= 0 && stamps is null && EstimatedBytes(city, uplinks, firstFCnt) <= prebuildBytes
            ? PrebuiltFrames.Build(city, uplinks, firstFCnt, DateTime.UtcNow)
            : null;

        // A long run's parent times changes while the publisher still runs: each stamp goes to the
        // file as it is taken (before its publish, so no change can arrive ahead of its stamp).
        using Microsoft.Win32.SafeHandles.SafeFileHandle? live = liveStamps && stampsPath is not null
            ? File.OpenHandle(stampsPath, FileMode.Create, FileAccess.Write, FileShare.ReadWrite)
            : null;

        using LeanMqttConnection connection = await LeanMqttConnection.ConnectAsync(host, port, clientId, window, cancellationToken);
        var clock = Stopwatch.StartNew();
        using var reporter = new Timer(_ => Console.Out.WriteLine($"published {connection.Acked}"), null, 500, 500);

        // Stamps reach the file before the publishes they time are sent: one write for each send.
        long stamped = 0;
        long taken = 0;
        if (live is not null && stamps is not null)
        {
            connection.BeforeSend = () =>
            {
                if (taken > stamped)
                {
                    RandomAccess.Write(live, System.Runtime.InteropServices.MemoryMarshal.AsBytes(stamps.AsSpan((int)stamped, (int)(taken - stamped))), stamped * sizeof(long));
                    stamped = taken;
                }
            };
        }

        long unsent = 0;
        string? sendFailure = null;
        await Task.Factory.StartNew(
            () =>
            {
                long k = 0;

                // One writer and buffer for every event, and each device's topic made once.
                using var writer = new UplinkWriter();
                string?[] topics = new string?[devices];
                try
                {
                    for (; k < uplinks; k++)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        if (rate > 0)
                        {
                            // Paced: uplink k is due at k / rate seconds; send what is buffered and sleep only when more than a millisecond ahead.
                            double ahead = (k * 1000.0 / rate) - clock.Elapsed.TotalMilliseconds;
                            if (ahead > 1)
                            {
                                connection.Flush();
                                Thread.Sleep(TimeSpan.FromMilliseconds(ahead));
                            }
                        }

                        int index = (int)(k % devices);
                        BenchDevice device = city[index];
                        ReadOnlySpan<byte> frame = prebuilt is null ? writer.Write(device, firstFCnt + (uint)(k / devices), DateTime.UtcNow) : prebuilt.Next();
                        connection.Reserve();
                        if (stamps is not null)
                        {
                            stamps[k] = DateTime.UtcNow.Ticks;
                            taken = k + 1;
                        }

                        connection.Publish(topics[index] ??= UplinkFactory.Topic(device), frame);
                    }

                    connection.Flush();
                }
                catch (Exception ex) when (ex is System.Net.Sockets.SocketException or ObjectDisposedException or InvalidOperationException)
                {
                    unsent = uplinks - k;
                    sendFailure = ex.Message;
                }
            },
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        await connection.DrainAsync(TimeSpan.FromMinutes(5), cancellationToken);
        double seconds = clock.Elapsed.TotalSeconds;
        await reporter.DisposeAsync();
        long acked = connection.Acked;
        long failed = connection.Failed + unsent;
        string? firstFailure = connection.FirstFailure ?? sendFailure;
        if (stampsPath is not null && stamps is not null && live is null)
        {
            await using FileStream file = File.Create(stampsPath);
            await file.WriteAsync(System.Runtime.InteropServices.MemoryMarshal.AsBytes(stamps.AsSpan()).ToArray(), cancellationToken);
        }

        if (firstFailure is not null)
        {
            await Console.Error.WriteLineAsync($"first failed publish: {firstFailure}");
        }

        connection.Close();
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done {acked} {seconds:0.000} {failed}"));
        return failed == 0 ? 0 : 1;
    }

    /// <summary>What writing every event ahead would take, from the first device's first event with a tenth to spare.</summary>
    private static long EstimatedBytes(BenchDevice[] city, long uplinks, uint firstFCnt) =>
        (long)(UplinkFactory.Up(city[0], firstFCnt, DateTime.UtcNow).Length * 1.1 * uplinks);
}
