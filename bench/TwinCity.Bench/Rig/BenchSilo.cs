using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using TwinCity.Bench.Load;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Testing;

namespace TwinCity.Bench.Rig;

/// <summary>
/// The real silo (<c>dotnet TwinCity.Silo.dll</c>) as its own process on free ports, without the seed
/// city and the simulator: the bench provisions its own devices through the import API.
/// </summary>
public sealed class BenchSilo : IAsyncDisposable
{
    /// <summary>The operator's demo key (reads and device management); sent before API keys are enforced too.</summary>
    public const string CityKey = "dev-city";

    /// <summary>The shared-subscription group of the cluster's silos; each silo's broker session is named after it (<c>{group}-{address}-{port}-{generation}</c>).</summary>
    public const string SharedGroup = "twincity";

    /// <summary>Environment variables with this prefix are handed to the silo processes without it.</summary>
    public const string SiloEnvironmentPrefix = "TWINCITY_BENCH_SILO_";

    private readonly CityProcess _process;

    private BenchSilo(CityProcess process, SiloSettings settings, int siloPort, int gatewayPort)
    {
        _process = process;
        Settings = settings;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        Http = new HttpClient { BaseAddress = process.BaseUrl, Timeout = TimeSpan.FromMinutes(5) };
        Http.DefaultRequestHeaders.Add("X-Api-Key", CityKey);
    }

    public SiloSettings Settings { get; }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public HttpClient Http { get; }

    public Uri BaseUrl => _process.BaseUrl;

    public int ProcessId => _process.ProcessId;

    /// <summary>The silo assembly started: the one built beside the bench, or one published with ReadyToRun (<see cref="ReadyToRunSilo"/>).</summary>
    public static string Dll { get; set; } = CityProcess.SiloDll;

    public string LogPath => _process.LogPath;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code once the process has exited.</summary>
    public int? ExitCode => _process.ExitCode;

    /// <param name="cgroup">When given, the process starts in it (a CPU cap standing in for a machine of its own).</param>
    public static async Task<BenchSilo> StartAsync(SiloSettings settings, CancellationToken cancellationToken, int? primarySiloPort = null, CpuCgroup? cgroup = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        int web = FreePort.Next();
        int silo = FreePort.Next();
        int gateway = FreePort.Next();
        var env = new Dictionary<string, string>
        {
            ["Seed__Enabled"] = "false",
            ["Mqtt__Port"] = settings.MqttPort.ToString(CultureInfo.InvariantCulture),
            ["Mqtt__Subscribe"] = settings.Subscribe ? "true" : "false",
            ["Mqtt__ClientId"] = $"bench-{settings.Name}-{Environment.ProcessId}-{silo}",
            ["Orleans__SiloPort"] = silo.ToString(CultureInfo.InvariantCulture),
            ["Orleans__GatewayPort"] = gateway.ToString(CultureInfo.InvariantCulture),
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
            ["DOTNET_gcServer"] = "1",
        };
        if (settings.MqttHost is not null)
        {
            env["Mqtt__Host"] = settings.MqttHost;
        }

        if (settings.ConnectionString is not null)
        {
            env["TwinCity__Mode"] = "Cluster";

            // The bench measures the engine on loopback without TLS; bench/README says so.
            env["Cluster__Insecure"] = "true";
            env["ConnectionStrings__TwinCity"] = settings.ConnectionString;
            env["Mqtt__SharedGroup"] = SharedGroup;

            // A cluster silo's broker session is named after the silo itself (and refuses a client id).
            env.Remove("Mqtt__ClientId");
            env["Access__Keys__0__Agency"] = "city";
            env["Access__Keys__0__Sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(CityKey)));
            env["Access__Keys__1__Agency"] = "azerishig";
            env["Access__Keys__1__Sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("dev-azerishig"u8));

            // As the README asks of cluster silos (TWINCITY_BENCH_SILO_DOTNET_TieredPGO=1 and
            // TWINCITY_BENCH_SILO_DOTNET_TC_QuickJit=1 put them back).
            env["DOTNET_TieredPGO"] = "0";
            env["DOTNET_TC_QuickJit"] = "0";
        }

        foreach ((string name, string value) in settings.Settings ?? new Dictionary<string, string>())
        {
            env[name] = value;
        }

        // Runtime settings to try on the silo alone (GC knobs, say) without touching the bench's own
        // process: TWINCITY_BENCH_SILO_DOTNET_GCgen0size=0x2000000 reaches the silo as DOTNET_GCgen0size.
        foreach (System.Collections.DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            if (variable.Key is string key && key.StartsWith(SiloEnvironmentPrefix, StringComparison.Ordinal) && key.Length > SiloEnvironmentPrefix.Length)
            {
                env[key[SiloEnvironmentPrefix.Length..]] = variable.Value as string ?? "";
            }
        }

        if (primarySiloPort is int primary)
        {
            env["Orleans__PrimarySiloPort"] = primary.ToString(CultureInfo.InvariantCulture);
        }

        CityProcess process = await CityProcess.StartAsync(
            Dll,
            env,
            ["--urls", $"http://127.0.0.1:{web}", "--simulate", "0"],
            settings.Name,
            cgroupProcs: cgroup?.ProcsFile);
        var bench = new BenchSilo(process, settings, silo, gateway);
        try
        {
            // The cap holds from the process's first instruction, as a machine's cores would, and the
            // runtime sizes itself to it as it reads its limits at start-up.
            await process.WaitForAsync("/health/ready", TimeSpan.FromSeconds(120), cancellationToken);
        }
        catch (InvalidOperationException ex) when (cgroup is not null && process.ExitCode == CgroupStart.JoinFailedExitCode)
        {
            // Not cluster mode failing to come up: the silo never ran.
            await bench.DisposeAsync();
            throw new IOException($"the silo could not join the cpu cgroup {cgroup.Path}: {ex.Message}", ex);
        }
        catch
        {
            await bench.DisposeAsync();
            throw;
        }

        return bench;
    }

    public string LogTail(int lines = 30) => _process.LogTail(lines);

    /// <summary>Everything the process has written so far (its log file, read while it is still being written).</summary>
    public string ReadLog()
    {
        using var file = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(file);
        return reader.ReadToEnd();
    }

    /// <summary>Kills the process (SIGKILL): a crash, no shutdown code runs, its sockets close.</summary>
    public Task KillAsync() => _process.KillAsync();

    /// <summary>Freezes the process (SIGSTOP), as a hung machine would: its sockets stay open, it answers nothing.</summary>
    public void Freeze() => _process.Freeze();

    /// <summary>Lets a frozen process run again (SIGCONT).</summary>
    public void Thaw() => _process.Thaw();

    /// <summary>Waits up to <paramref name="timeout"/> for the process to exit by itself; false when it still runs.</summary>
    public Task<bool> WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(timeout);

    /// <summary>The sum of a metric's samples on this silo's <c>/metrics</c>, null when it exports none.</summary>
    public async Task<double?> MetricAsync(string metric, CancellationToken cancellationToken)
    {
        string text = await Http.GetStringAsync(new Uri("metrics", UriKind.Relative), cancellationToken);
        return PrometheusText.Sum(text, metric);
    }

    public double CpuSeconds() => ProcessCpu.Seconds(_process.ProcessId);

    /// <summary>Provisions the devices through <c>POST /api/v1/devices/import</c> (NDJSON), in chunks, and checks that every line was taken.</summary>
    public async Task ProvisionAsync(BenchDevice[] devices, Action<int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(devices);
        const int Chunk = 5000;
        for (int start = 0; start < devices.Length; start += Chunk)
        {
            int count = Math.Min(Chunk, devices.Length - start);
            using var content = new StringContent(CityDevices.ToNdjson(devices.AsSpan(start, count)), Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
            using HttpResponseMessage response = await Http.PostAsync(new Uri("api/v1/devices/import", UriKind.Relative), content, cancellationToken);
            string body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"device import answered {(int)response.StatusCode}: {body}");
            }

            using JsonDocument doc = JsonDocument.Parse(body);
            int imported = doc.RootElement.GetProperty("imported").GetInt32();
            if (imported != count)
            {
                throw new InvalidOperationException($"device import took {imported} of {count} devices: {body[..Math.Min(body.Length, 600)]}");
            }

            progress?.Invoke(start + count);
        }
    }

    /// <summary>Uplinks applied, summed over every silo of the cluster (ingest's own count, as each silo reports it every two seconds).</summary>
    public async Task<long> AppliedAsync(CancellationToken cancellationToken)
    {
        using JsonDocument doc = await ClusterAsync(cancellationToken);
        long sum = 0;
        foreach (JsonElement silo in doc.RootElement.GetProperty("silos").EnumerateArray())
        {
            sum += silo.GetProperty("ingest").GetProperty("uplinksApplied").GetInt64();
        }

        return sum;
    }

    /// <summary>
    /// From one <c>GET /metrics</c>: the managed heap as of the last collection (the runtime's
    /// <c>dotnet.gc.last_collection.heap.size</c>, summed over its generations), the bytes live
    /// after the latest full collection (the silo's <c>twincity.gc.live_after_full_collection</c>),
    /// and since the silo started, the time its collections paused it (<c>dotnet.gc.pause.time</c>)
    /// and its generation-2 collections (<c>dotnet.gc.collections</c>); each null when not exported.
    /// </summary>
    public async Task<SiloGc> GcAsync(CancellationToken cancellationToken)
    {
        string text = await Http.GetStringAsync(new Uri("metrics", UriKind.Relative), cancellationToken);
        return new SiloGc(
            (long?)PrometheusText.Sum(text, "dotnet_gc_last_collection_heap_size"),
            (long?)PrometheusText.Sum(text, "twincity_gc_live_after_full_collection"),
            PrometheusText.Sum(text, "dotnet_gc_pause_time"),
            (long?)PrometheusText.Sum(text, "dotnet_gc_collections", "gc_heap_generation=\"gen2\""));
    }

    /// <summary>From one <c>GET /metrics</c>: Orleans' message counts and the twins' uplinks by placement (see <see cref="SiloMessaging"/>).</summary>
    public async Task<SiloMessaging> MessagingAsync(CancellationToken cancellationToken)
    {
        string text = await Http.GetStringAsync(new Uri("metrics", UriKind.Relative), cancellationToken);
        return SiloMessaging.Parse(text);
    }

    /// <summary>Twins active, summed over every silo of the cluster (each silo's count as it reports it).</summary>
    public async Task<long> TwinsActiveAsync(CancellationToken cancellationToken)
    {
        using JsonDocument doc = await ClusterAsync(cancellationToken);
        long sum = 0;
        foreach (JsonElement silo in doc.RootElement.GetProperty("silos").EnumerateArray())
        {
            if (silo.GetProperty("status").GetString() == "active")
            {
                sum += silo.GetProperty("twinsActive").EnumerateObject().Sum(p => p.Value.GetInt64());
            }
        }

        return sum;
    }

    /// <summary>Every silo of the cluster's membership table, dead ones too: its address (as Orleans writes it) and status.</summary>
    public async Task<IReadOnlyList<(string Address, string Status)>> MembersAsync(CancellationToken cancellationToken)
    {
        using JsonDocument doc = await ClusterAsync(cancellationToken);
        return [.. doc.RootElement.GetProperty("silos").EnumerateArray().Select(s => (s.GetProperty("address").GetString() ?? string.Empty, s.GetProperty("status").GetString() ?? string.Empty))];
    }

    /// <summary>The frame counter of the last uplink <paramref name="device"/>'s twin applied (<c>radio.fCnt</c> of its document); null when it has applied none.</summary>
    public async Task<uint?> TwinFCntAsync(BenchDevice device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        using HttpResponseMessage response = await Http.GetAsync(new Uri($"api/v1/twins/{device.Kind.ToUrlName()}/{device.TwinId}", UriKind.Relative), cancellationToken);
        string body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET twin {device.Kind.ToUrlName()}/{device.TwinId} answered {(int)response.StatusCode}: {body}");
        }

        using JsonDocument doc = JsonDocument.Parse(body);
        return doc.RootElement.TryGetProperty("radio", out JsonElement radio) && radio.TryGetProperty("fCnt", out JsonElement fCnt) ? fCnt.GetUInt32() : null;
    }

    /// <summary>Silos of the cluster that are active.</summary>
    public async Task<int> ActiveSilosAsync(CancellationToken cancellationToken)
    {
        using JsonDocument doc = await ClusterAsync(cancellationToken);
        return doc.RootElement.GetProperty("silos").EnumerateArray().Count(s => s.GetProperty("status").GetString() == "active");
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _process.StopAsync(TimeSpan.FromSeconds(10));
        await _process.DisposeAsync();
    }

    private async Task<JsonDocument> ClusterAsync(CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await Http.GetAsync(new Uri("api/v1/cluster", UriKind.Relative), cancellationToken);
        string body = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.IsSuccessStatusCode
            ? JsonDocument.Parse(body)
            : throw new InvalidOperationException($"GET /api/v1/cluster answered {(int)response.StatusCode}: {body}");
    }
}
