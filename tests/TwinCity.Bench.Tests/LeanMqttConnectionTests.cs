using System.Net;
using System.Net.Sockets;
using TwinCity.Bench.Publishing;
using TwinCity.Testing;

namespace TwinCity.Bench.Tests;

/// <summary>The load generator's MQTT connection against a real broker, read back by a general client.</summary>
public sealed class LeanMqttConnectionTests
{
    [Fact]
    public async Task Every_publish_reaches_a_subscriber_whole_and_in_order_and_is_acknowledged()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        await using TestSubscriber subscriber = await TestSubscriber.ConnectAsync(broker.Port, "lean/#");

        // More publishes than the window and than one send buffer holds, of varied sizes (one needs a
        // two-byte remaining length, one a three-byte one).
        const int Count = 3000;
        byte[] Payload(int i) => [.. Enumerable.Range(0, i == 7 ? 20_000 : i % 300).Select(b => (byte)(b + i))];
        using LeanMqttConnection connection = await LeanMqttConnection.ConnectAsync("127.0.0.1", broker.Port, "lean-test-pub", window: 100, CancellationToken.None);
        Assert.Equal(100, connection.WindowSize);
        int sends = 0;
        connection.BeforeSend = () => sends++;
        for (int i = 0; i < Count; i++)
        {
            connection.Reserve();
            connection.Publish($"lean/{i % 5}/é", Payload(i));
        }

        await connection.DrainAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.Equal(Count, connection.Acked);
        Assert.Equal(0, connection.Failed);
        Assert.True(sends < Count / 2, $"{sends} socket writes for {Count} publishes");

        // One connection's publishes reach a subscriber in order: once the last is there, all are.
        await subscriber.WaitForAsync((topic, payload) => payload.AsSpan().SequenceEqual(Payload(Count - 1)));
        (string Topic, byte[] Payload, DateTime At)[] got = [.. subscriber.Messages];
        Assert.Equal(Count, got.Length);
        for (int i = 0; i < Count; i++)
        {
            Assert.Equal($"lean/{i % 5}/é", got[i].Topic);
            Assert.Equal(Payload(i), got[i].Payload);
        }

        connection.Close();
    }

    [Fact]
    public async Task A_broker_that_goes_away_counts_what_was_in_flight_as_failed_and_frees_the_sender()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        using LeanMqttConnection connection = await LeanMqttConnection.ConnectAsync("127.0.0.1", broker.Port, "lean-test-gone", window: 50, CancellationToken.None);
        connection.Reserve();
        connection.Publish("lean/x", [1, 2, 3]);
        await connection.DrainAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.Equal(1, connection.Acked);

        await broker.StopAsync();
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (connection.FirstFailure is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.NotNull(connection.FirstFailure);
        Assert.ThrowsAny<Exception>(() =>
        {
            for (int i = 0; i < 200; i++)
            {
                connection.Reserve();
                connection.Publish("lean/x", [1, 2, 3]);
                connection.Flush();
            }
        });
    }

    [Fact]
    public async Task A_sender_waiting_for_room_sleeps_until_acknowledgements_come_rather_than_spinning()
    {
        // A broker that acknowledges one publish of the window and then nothing: the sender must
        // wait, woken by that acknowledgement, without looping on it.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Task broker = Task.Run(async () =>
        {
            using Socket client = await listener.AcceptSocketAsync();
            byte[] buffer = new byte[64 * 1024];
            await client.ReceiveAsync(buffer);
            await client.SendAsync(new byte[] { 0x20, 0x03, 0x00, 0x00, 0x00 });
            Task draining = Task.Run(async () =>
            {
                while (await client.ReceiveAsync(buffer) > 0)
                {
                }
            });
            await Task.Delay(200);
            await client.SendAsync(new byte[] { 0x40, 0x02, 0x00, 0x01 });
            await Task.Delay(500);
            client.Shutdown(SocketShutdown.Both);
            await draining.WaitAsync(TimeSpan.FromSeconds(10));
        });

        using LeanMqttConnection connection = await LeanMqttConnection.ConnectAsync("127.0.0.1", port, "lean-test-wait", window: 8, CancellationToken.None);
        long waits = await Task.Run(() =>
        {
            try
            {
                for (int i = 0; i < 9; i++)
                {
                    connection.Reserve();
                    connection.Publish("lean/wait", [1]);
                }
            }
            catch (InvalidOperationException)
            {
                // The broker went away while the sender waited: that ends the wait.
            }

            return connection.RoomWaits;
        });
        await broker;

        // About 7 waits of 100 ms (one cut short by the acknowledgement); a spinning sender makes millions.
        Assert.Equal(1, connection.Acked);
        Assert.InRange(waits, 1, 20);
    }
}
