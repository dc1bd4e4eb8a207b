using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MQTTnet;
using MQTTnet.Formatter;
using static TwinCity.Web.Tests.Ingest.IngestTestKit;

namespace TwinCity.Web.Tests.Ingest;

/// <summary>
/// A newcomer watches the embedded city's broker with Debian's mosquitto_sub and mosquitto_pub as they
/// come, without -i: they connect with an empty client id, which MQTT 3.1.1 and 5 allow and mosquitto accepts.
/// </summary>
[Collection(CityCollection.Name)]
public sealed class MosquittoClientToolsTests(CityAppFactory city)
{
    private readonly HttpClient _http = city.CreateClient();

    [Theory]
    [InlineData(null)]
    [InlineData("mqttv5")]
    public async Task Mosquitto_sub_with_its_defaults_receives_what_mosquitto_pub_publishes(string? subscriberProtocol)
    {
        await WaitReadyAsync(_http);
        string topic = $"twincity/tests/mosquitto-clients/{Guid.NewGuid():N}";
        string message = $"hello from mosquitto_pub {Guid.NewGuid():N}";
        string port = city.MqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture);

        string[] protocol = subscriberProtocol is null ? [] : ["-V", subscriberProtocol];
        using Tool subscriber = Tool.Start("mosquitto_sub", ["-p", port, "-t", topic, "-C", "1", "-W", "20", .. protocol]);

        // mosquitto_sub says nothing when its subscription stands, so the message goes out again until it arrives.
        DateTime deadline = DateTime.UtcNow.AddSeconds(25);
        while (!subscriber.HasExited && DateTime.UtcNow < deadline)
        {
            using Tool publisher = Tool.Start("mosquitto_pub", ["-p", port, "-t", topic, "-m", message]);
            (int publisherExit, _, string publisherErrors) = await publisher.WaitAsync();
            Assert.True(publisherExit == 0, $"mosquitto_pub exited with {publisherExit}: {publisherErrors}");
            await Task.Delay(200);
        }

        (int exit, string output, string errors) = await subscriber.WaitAsync();
        Assert.True(exit == 0, $"mosquitto_sub exited with {exit}: {errors}");
        Assert.Equal(message, output.TrimEnd('\n'));
    }

    [Fact]
    public async Task Mosquitto_sub_sees_the_uplinks_that_ingest_takes_inside_the_broker()
    {
        await WaitReadyAsync(_http);
        (string devEui, string id) = await ProvisionAsync(_http, "streetlights", "milesight-ws558", "SLW");
        string port = city.MqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string topic = TwinCity.Testing.NetworkServerMessages.ChirpStackUpTopic(devEui);
        using Tool subscriber = Tool.Start("mosquitto_sub", ["-p", port, "-t", topic, "-C", "1", "-W", "20"]);
        await using TwinCity.Testing.TestPublisher publisher = await TwinCity.Testing.TestPublisher.ConnectAsync(city.MqttPort);

        // As the network server would: uplinks with rising frame counters until the watcher has seen one.
        int fCnt = 0;
        DateTime deadline = DateTime.UtcNow.AddSeconds(25);
        while (!subscriber.HasExited && DateTime.UtcNow < deadline)
        {
            fCnt++;
            await publisher.PublishAsync(topic, TwinCity.Testing.NetworkServerMessages.ChirpStackUp(devEui, (uint)fCnt, 85, decoded: new { on = true, dimLevel = fCnt }));
            await Task.Delay(200);
        }

        (int exit, string output, string errors) = await subscriber.WaitAsync();
        Assert.True(exit == 0, $"mosquitto_sub saw no uplink of {devEui} in 20 s (exit {exit}): {errors}");
        Assert.Contains(devEui, output, StringComparison.OrdinalIgnoreCase);

        // Ingest took every one of them as well.
        System.Text.Json.JsonElement twin = await WaitForTwinAsync(_http, "streetlights", id, t => HasReported(t, "dimLevel") && Reported(t, "dimLevel").GetInt32() == fCnt);
        Assert.Equal(fCnt, twin.GetProperty("radio").GetProperty("fCnt").GetInt32());
    }

    [Fact]
    public async Task Mqtt5_client_without_an_id_is_told_the_id_the_broker_assigned()
    {
        await WaitReadyAsync(_http);
        using IMqttClient client = new MqttClientFactory().CreateMqttClient();

        MqttClientConnectResult result = await client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", city.MqttPort)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(string.Empty)
            .Build());

        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        Assert.StartsWith("auto-", result.AssignedClientIdentifier, StringComparison.Ordinal);
        await client.DisconnectAsync();
    }

    [Fact]
    public async Task Mqtt311_client_without_an_id_that_asks_for_a_lasting_session_is_refused()
    {
        await WaitReadyAsync(_http);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, city.MqttPort);
        NetworkStream stream = tcp.GetStream();

        // Written by hand: MQTTnet's client refuses to send this CONNECT at all. MQTT 3.1.1 §3.1.3-8: a
        // session nobody can name again cannot be resumed, so the server must refuse it.
        byte[] connect =
        [
            0x10, 12, // CONNECT, remaining length
            0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, // protocol name, level 4 (3.1.1)
            0x00, // connect flags: clean session 0
            0x00, 60, // keep alive
            0x00, 0x00, // client id: empty
        ];
        await stream.WriteAsync(connect);
        byte[] connack = new byte[4];
        int read = await stream.ReadAtLeastAsync(connack, connack.Length, throwOnEndOfStream: false).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        // The spec asks for a CONNACK with return code 2 (identifier rejected) before the close; MQTTnet's
        // packet decoder refuses this CONNECT as a protocol violation and closes without one.
        Assert.True(read == 0 || connack is [0x20, 0x02, 0x00, 0x02], $"the broker answered {Convert.ToHexString(connack, 0, read)}");
    }

    /// <summary>One run of a mosquitto client binary, its output collected as it comes.</summary>
    private sealed class Tool : IDisposable
    {
        private readonly Process _process;
        private readonly Task<string> _output;
        private readonly Task<string> _errors;

        private Tool(Process process)
        {
            _process = process;
            _output = process.StandardOutput.ReadToEndAsync();
            _errors = process.StandardError.ReadToEndAsync();
        }

        public bool HasExited => _process.HasExited;

        public static Tool Start(string name, IEnumerable<string> arguments)
        {
            string binary = File.Exists("/usr/bin/" + name) ? "/usr/bin/" + name : name;
            var info = new ProcessStartInfo(binary, arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            try
            {
                return new Tool(Process.Start(info) ?? throw new InvalidOperationException(name + " did not start"));
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                throw new InvalidOperationException($"{name} is not installed; ./test.sh installs it (apt-get install mosquitto-clients)", ex);
            }
        }

        public async Task<(int Exit, string Output, string Errors)> WaitAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(timeout.Token);
            return (_process.ExitCode, await _output, await _errors);
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            _process.Dispose();
        }
    }
}
