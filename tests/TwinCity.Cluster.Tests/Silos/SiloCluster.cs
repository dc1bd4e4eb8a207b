using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;
using TwinCity.Testing;
using TwinCity.Web.Auth;

namespace TwinCity.Cluster.Tests.Silos;

/// <summary>
/// A cluster of real silo processes (<c>TwinCity__Mode=Cluster</c>) on one throwaway database of the
/// shared PostgreSQL server and one mosquitto broker of its own. Silos notice a dead peer within a few
/// seconds (short membership probes) and write snapshots after the given quiet period.
/// </summary>
internal sealed class SiloCluster : IAsyncDisposable
{
    private readonly List<CityProcess> _silos = [];
    private readonly Dictionary<CityProcess, SiloEndpoints> _endpoints = [];
    private readonly TimeSpan _snapshotQuietPeriod;

    private SiloCluster(string connectionString, MosquittoBroker broker, TimeSpan snapshotQuietPeriod)
    {
        ConnectionString = connectionString;
        Broker = broker;
        _snapshotQuietPeriod = snapshotQuietPeriod;
    }

    public string ConnectionString { get; }

    public MosquittoBroker Broker { get; }

    /// <summary>Settings of a test's own, given to every silo started from now on (environment names, "__" between levels).</summary>
    public Dictionary<string, string> Settings { get; } = [];

    public static Task<SiloCluster> CreateAsync(PostgresFixture postgres, string prefix, TimeSpan snapshotQuietPeriod) =>
        CreateAsync(postgres.Server, prefix, snapshotQuietPeriod);

    /// <summary>A cluster on a server of its own, for a test that stops and starts that server.</summary>
    public static async Task<SiloCluster> CreateAsync(PostgresServer postgres, string prefix, TimeSpan snapshotQuietPeriod)
    {
        // No migration here: the silos bring the empty database up to date themselves, all at once.
        string connectionString = await postgres.CreateUniqueDatabaseAsync(prefix);
        MosquittoBroker broker = await MosquittoBroker.StartAsync();
        return new SiloCluster(connectionString, broker, snapshotQuietPeriod);
    }

    /// <summary>
    /// A cluster with TLS on every hop, as a deployment runs it: <paramref name="postgres"/> must take TLS
    /// (started with <paramref name="authority"/>), the broker takes only TLS with client certificates,
    /// and each silo gets a certificate of its own from <paramref name="authority"/>.
    /// </summary>
    public static async Task<SiloCluster> CreateTlsAsync(PostgresServer postgres, TestCertificates authority, string prefix, TimeSpan snapshotQuietPeriod)
    {
        string plain = await postgres.CreateUniqueDatabaseAsync(prefix);
        string connectionString = new Npgsql.NpgsqlConnectionStringBuilder(plain)
        {
            SslMode = Npgsql.SslMode.VerifyFull,
            RootCertificate = authority.AuthorityCertificate,
        }.ConnectionString;
        MosquittoBroker broker = await MosquittoBroker.StartAsync(tls: authority);
        return new SiloCluster(connectionString, broker, snapshotQuietPeriod) { Authority = authority };
    }

    /// <summary>The authority of a TLS cluster's certificates; null for a cluster that runs with <c>Cluster:Insecure</c>.</summary>
    public TestCertificates? Authority { get; private init; }

    /// <summary>Starts a silo process; its broker session is named after the silo itself.</summary>
    public Task<CityProcess> StartSiloAsync(string name) =>
        StartAsync(new SiloEndpoints(name, FreePort.Next(), FreePort.Next(), FreePort.Next()));

    /// <summary>
    /// Starts a silo again under the name and ports of <paramref name="stopped"/>, which must have
    /// exited, as a rolling restart of a deployment does: the same address, a new Orleans generation
    /// (and so a new broker session).
    /// </summary>
    public Task<CityProcess> RestartSiloAsync(CityProcess stopped)
    {
        if (!stopped.HasExited)
        {
            throw new InvalidOperationException("Stop the silo before starting it again on its ports.");
        }

        return StartAsync(_endpoints[stopped]);
    }

    private async Task<CityProcess> StartAsync(SiloEndpoints endpoints)
    {
        var env = new Dictionary<string, string>
        {
            ["TwinCity__Mode"] = "Cluster",
            ["ConnectionStrings__TwinCity"] = ConnectionString,
            ["Mqtt__Host"] = "127.0.0.1",
            ["Mqtt__Port"] = Broker.Port.ToString(CultureInfo.InvariantCulture),
            ["Orleans__SiloPort"] = endpoints.SiloPort.ToString(CultureInfo.InvariantCulture),
            ["Orleans__GatewayPort"] = endpoints.GatewayPort.ToString(CultureInfo.InvariantCulture),
            ["Orleans__AdvertisedAddress"] = "127.0.0.1",
            // Every test silo sizes its directory cache, so a key Orleans cannot take fails them all.
            ["Orleans__DirectoryCacheSize"] = "5000",
            ["Orleans__Membership__ProbeTimeout"] = "00:00:01",
            ["Orleans__Membership__NumMissedProbesLimit"] = "2",
            ["Orleans__Membership__NumVotesForDeathDeclaration"] = "1",
            ["Orleans__Membership__TableRefreshTimeout"] = "00:00:02",
            ["Orleans__Membership__IAmAliveTablePublishTimeout"] = "00:00:05",
            ["Twins__SnapshotQuietPeriod"] = _snapshotQuietPeriod.ToString("c", CultureInfo.InvariantCulture),
            ["Simulator__DevicesPerSecond"] = "0",
            ["Seed__Enabled"] = "false",

            // A cluster has no built-in keys: the operator's, hashed, as a deployment configures it.
            ["Access__Keys__0__Agency"] = "city",
            ["Access__Keys__0__Sha256"] = ApiKeyRing.HashHex(CityKey),

            // Viewers renew their cell subscriptions this often; a cell that moved off a dead silo hears of them again then.
            ["Live__RenewInterval"] = "00:00:02",
            ["DOTNET_gcServer"] = "0",
            // Test silos start within a second or two of each other: their twins are woken sooner than a city's.
            ["Wake__Settle"] = "00:00:03",
            ["Logging__LogLevel__Default"] = "Information",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning",
            ["Logging__LogLevel__Orleans"] = "Warning",
            ["Logging__LogLevel__Polly"] = "Warning",
        };
        if (Authority is null)
        {
            // Plain connections to the test's own loopback servers: the TLS hops have tests of their own.
            env["Cluster__Insecure"] = "true";
        }
        else
        {
            IssuedCertificate own = await Authority.IssueAsync(endpoints.Name);
            env["Cluster__Tls__Certificate"] = own.Certificate;
            env["Cluster__Tls__Key"] = own.Key;
            env["Cluster__Tls__CertificateAuthority"] = Authority.AuthorityCertificate;
            env["Mqtt__Tls__CertificateAuthority"] = Authority.AuthorityCertificate;
            env["Mqtt__Tls__Certificate"] = own.Certificate;
            env["Mqtt__Tls__Key"] = own.Key;
        }

        foreach ((string key, string value) in Settings)
        {
            env[key] = value;
        }

        CityProcess silo = await CityProcess.StartAsync(CityProcess.SiloDll, env, ["--urls", $"http://127.0.0.1:{endpoints.HttpPort}"], endpoints.Name);
        _silos.Add(silo);
        _endpoints[silo] = endpoints;
        return silo;
    }

    /// <summary>The Orleans silo port a silo was started with (its address in the membership table names it).</summary>
    public int SiloPortOf(CityProcess silo) => _endpoints[silo].SiloPort;

    /// <summary>The Orleans gateway port a silo was started with, where Orleans clients connect.</summary>
    public int GatewayPortOf(CityProcess silo) => _endpoints[silo].GatewayPort;

    /// <summary>Starts silo-a and silo-b, and waits until both answer and silo a sees both active.</summary>
    public async Task<(CityProcess A, CityProcess B)> StartPairAsync()
    {
        CityProcess a = await StartSiloAsync("silo-a");
        CityProcess b = await StartSiloAsync("silo-b");
        await WaitJoinedAsync(a, b);
        return (a, b);
    }

    /// <summary>Waits until <paramref name="a"/> and <paramref name="b"/> answer and <paramref name="a"/> sees both active.</summary>
    public async Task WaitJoinedAsync(CityProcess a, CityProcess b)
    {
        await WaitReadyAsync(a, b);
        await AddressOfAsync(a, SiloPortOf(b), expectedActive: 2);
    }

    public static async Task WaitReadyAsync(params CityProcess[] silos) =>
        await Task.WhenAll(silos.Select(s => s.WaitForAsync("/health/ready", TimeSpan.FromSeconds(120))));

    /// <summary>The city operator's key of the test cluster (reads every twin, manages devices and the cluster).</summary>
    public const string CityKey = "cluster-test-city-key-3f9a1c";

    public static HttpClient Client(CityProcess silo)
    {
        var http = new HttpClient { BaseAddress = silo.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-Api-Key", CityKey);
        return http;
    }

    /// <summary>The silos as <c>GET /api/v1/cluster</c> on <paramref name="silo"/> lists them.</summary>
    public static async Task<JsonElement[]> SilosAsync(CityProcess silo)
    {
        using HttpClient http = Client(silo);
        JsonElement cluster = await http.GetFromJsonAsync<JsonElement>("/api/v1/cluster");
        return [.. cluster.GetProperty("silos").EnumerateArray()];
    }

    /// <summary>The sum of a metric's samples on a silo's <c>/metrics</c>, 0 when it has none.</summary>
    public static async Task<double> MetricAsync(CityProcess silo, string metric, string? label = null)
    {
        using HttpClient http = Client(silo);
        return PrometheusText.Sum(await http.GetStringAsync("/metrics"), metric, label) ?? 0;
    }

    /// <summary>The frame counter each device's twin last applied.</summary>
    public static async Task<uint?> TwinFCntAsync(HttpClient http, string id)
    {
        JsonElement twin = await http.GetFromJsonAsync<JsonElement>($"/api/v1/twins/streetlights/{id}");
        return twin.TryGetProperty("radio", out JsonElement radio) && radio.TryGetProperty("fCnt", out JsonElement f) ? f.GetUInt32() : null;
    }

    /// <summary>
    /// Whether mosquitto still holds a session for the silo at <paramref name="address"/> (as
    /// <c>/api/v1/cluster</c> prints it, <c>S{ip}:{port}:{generation}</c>), named as cluster silos
    /// name theirs. The probe connects without a clean start and with a session expiry of 0, so it
    /// leaves nothing behind either way.
    /// </summary>
    public async Task<bool> SessionPresentAsync(string address)
    {
        string[] parts = address.TrimStart('S').Split(':');
        string clientId = $"twincity-{parts[0]}-{parts[1]}-{parts[2]}";
        using IMqttClient probe = new MqttClientFactory().CreateMqttClient();
        MqttClientOptions options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", Broker.Port)
            .WithTlsOptions(Broker.ClientTls() ?? new MqttClientTlsOptions())
            .WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(0)
            .Build();
        MqttClientConnectResult connected = await probe.ConnectAsync(options);
        await probe.DisconnectAsync();
        return connected.IsSessionPresent;
    }

    /// <summary>Waits until <paramref name="via"/> lists <paramref name="expectedActive"/> active silos, one of them on <paramref name="siloPort"/>, and returns that one's address.</summary>
    public static async Task<string> AddressOfAsync(CityProcess via, int siloPort, int expectedActive)
    {
        string? address = null;
        await UntilAsync(
            async () =>
            {
                JsonElement[] silos = [.. (await SilosAsync(via)).Where(s => s.GetProperty("status").GetString() == "active")];
                address = silos.Select(s => s.GetProperty("address").GetString()!).FirstOrDefault(a => a.Contains($":{siloPort}:", StringComparison.Ordinal));
                return silos.Length == expectedActive && address is not null;
            },
            TimeSpan.FromSeconds(60),
            async () => JsonSerializer.Serialize(await SilosAsync(via)));
        return address!;
    }

    /// <summary>The twins active on the silo on <paramref name="siloPort"/> as <paramref name="via"/> lists it (each silo reports every 2 s).</summary>
    public static async Task<long> TwinsActiveOnAsync(CityProcess via, int siloPort) =>
        (await SilosAsync(via))
            .Where(s => s.GetProperty("status").GetString() == "active" && s.GetProperty("address").GetString()!.Contains($":{siloPort}:", StringComparison.Ordinal))
            .Sum(TwinsActive);

    public static long TwinsActive(JsonElement silo) => silo.GetProperty("twinsActive").EnumerateObject().Sum(p => p.Value.GetInt64());

    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<Task<string>> describe)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // A silo between states answers again shortly.
            }
            catch (TaskCanceledException)
            {
                // Likewise.
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out after {timeout}: {await describe()}");
            }

            await Task.Delay(250);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (CityProcess silo in _silos)
        {
            await silo.DisposeAsync();
        }

        await Broker.DisposeAsync();
    }

    /// <summary>What names a silo process from outside: kept so that it can be started again as itself.</summary>
    private sealed record SiloEndpoints(string Name, int HttpPort, int SiloPort, int GatewayPort);
}
