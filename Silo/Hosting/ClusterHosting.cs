using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Storage;
using TwinCity.Gateway.Ingest.Affinity;
using TwinCity.Grains;
using TwinCity.Grains.Cells.Relay;
using TwinCity.Grains.Cluster;
using TwinCity.Grains.Interfaces.History;
using TwinCity.Silo.Audit;
using TwinCity.Silo.Database;
using TwinCity.Silo.History;
using TwinCity.Silo.Operations;
using TwinCity.Silo.Storage;

namespace TwinCity.Silo.Hosting;

/// <summary>Cluster mode: PostgreSQL for membership, grain state, reminders and history; an external broker shared by all silos.</summary>
internal static class ClusterHosting
{
    public const string ConnectionStringName = "TwinCity";
    private const string Invariant = "Npgsql";

    /// <summary>Checks the settings cluster mode needs; each problem names its key.</summary>
    public static string ValidatedConnectionString(IConfiguration configuration)
    {
        var problems = new List<string>();
        string? connectionString = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            problems.Add($"ConnectionStrings:{ConnectionStringName} is required when TwinCity:Mode is Cluster (a PostgreSQL connection string)");
        }
        else
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(connectionString);
            }
            catch (ArgumentException ex)
            {
                problems.Add($"ConnectionStrings:{ConnectionStringName} is not a valid PostgreSQL connection string: {ex.Message}");
            }
        }

        if (string.IsNullOrWhiteSpace(configuration["Mqtt:Host"]))
        {
            problems.Add("Mqtt:Host is required when TwinCity:Mode is Cluster (the broker all silos share)");
        }

        if (!string.IsNullOrWhiteSpace(configuration["Mqtt:ClientId"]))
        {
            problems.Add("Mqtt:ClientId is not used when TwinCity:Mode is Cluster: each silo's broker session is named after the silo ({Mqtt:SharedGroup}-{address}-{port}-{generation}), so that a survivor can take a dead silo's session over; remove the setting");
        }

        // TLS on every hop (docs/decisions/cluster-tls.md), unless Cluster:Insecure waives it.
        problems.AddRange(ClusterTls.Problems(configuration, connectionString));

        if (problems.Count > 0)
        {
            throw new OptionsValidationException(TwinCityHostOptions.Section, typeof(TwinCityHostOptions), problems);
        }

        return WithSiloName(WithStatementsPrepared(WithConnectionsKept(WithPoolBound(connectionString!))));
    }

    /// <summary>
    /// This silo process's name in the membership table and on each of its PostgreSQL sessions
    /// (<c>Application Name</c>): new at every start, so that the sessions of a silo declared dead can be
    /// ended by name (<see cref="DeadSiloFencing"/>) without touching those of a silo started again on its port.
    /// </summary>
    public static readonly string SiloName = "twincity-silo-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary><paramref name="connectionString"/> with <c>Application Name</c> set to <see cref="SiloName"/>.</summary>
    public static string WithSiloName(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = SiloName }.ConnectionString;

    /// <summary>The pool size a silo's connections take when the connection string names none.</summary>
    public const int DefaultMaxPoolSize = 20;

    /// <summary>
    /// <paramref name="connectionString"/> with <c>Maximum Pool Size</c> set to <see cref="DefaultMaxPoolSize"/>
    /// unless it sets one itself. A silo opens two pools from it (Orleans' providers and the history),
    /// and Npgsql's default of 100 each would let two silos exhaust a server at PostgreSQL's default
    /// of 100 connections: registrations then fail to load and uplinks wait on retries. Bounded, a
    /// busy silo waits for a connection of its own pool instead.
    /// </summary>
    public static string WithPoolBound(string connectionString) =>
        Sets(connectionString, "MAXIMUMPOOLSIZE", "MAXPOOLSIZE")
            ? connectionString
            : new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = DefaultMaxPoolSize }.ConnectionString;

    /// <summary>
    /// <paramref name="connectionString"/> with <c>No Reset On Close</c> on unless it sets it itself.
    /// Npgsql resets a pooled connection as it is given back (DISCARD ALL before its next use), which
    /// throws away the statements PostgreSQL has prepared on it and the history writer's temporary
    /// table: every Orleans storage call and every history batch would plan its statements and make
    /// its table again. TwinCity leaves no session state behind that another user of the connection
    /// could trip on (no SET, no open transaction), so the reset buys nothing.
    /// </summary>
    public static string WithConnectionsKept(string connectionString) =>
        Sets(connectionString, "NORESETONCLOSE")
            ? connectionString
            : new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true }.ConnectionString;

    /// <summary>The statements each of a silo's connections keeps prepared when the connection string names no number.</summary>
    public const int DefaultMaxAutoPrepare = 32;

    /// <summary>
    /// <paramref name="connectionString"/> with <c>Max Auto Prepare</c> set to <see cref="DefaultMaxAutoPrepare"/>
    /// unless it sets one itself. A silo sends the same few statements thousands of times a second
    /// (the batched reads of twin snapshots, registrations and history, Orleans' own queries), and
    /// PostgreSQL parses, analyses and plans each one afresh unless it is prepared: in a restarted
    /// cluster's wake that was a third of PostgreSQL's CPU (bench/README.md). Npgsql prepares a
    /// statement on a connection once it has run there a few times and reuses it from then on; the
    /// connections are kept across uses (<see cref="WithConnectionsKept"/>), so the prepared
    /// statements are too. <c>Max Auto Prepare=0</c> turns it off, for a pooler in transaction mode in
    /// front of PostgreSQL that cannot keep them.
    /// </summary>
    public static string WithStatementsPrepared(string connectionString) =>
        Sets(connectionString, "MAXAUTOPREPARE")
            ? connectionString
            : new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = DefaultMaxAutoPrepare }.ConnectionString;

    /// <summary>Whether <paramref name="connectionString"/> sets any of <paramref name="keys"/> (upper case, without spaces) itself.</summary>
    private static bool Sets(string connectionString, params string[] keys)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        foreach (string key in given.Keys)
        {
            if (keys.Contains(key.Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant()))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Services that must exist before the silo starts: the migrator runs first, the history store before ingest.</summary>
    public static void AddClusterServices(IServiceCollection services, IConfiguration configuration, string connectionString, OrleansHostOptions orleans)
    {
        services.AddHostedService(sp => new MigrationOnStart(connectionString, sp.GetRequiredService<ILogger<MigrationOnStart>>()));
        services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        services.AddOptions<HistoryOptions>().BindConfiguration(HistoryOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        // A twin changed only by uplinks may hold them unwritten to its snapshot for SnapshotMaxAge,
        // replaying them from the history if it wakes: the history must keep them at least that long.
        services.AddOptions<TwinCity.Grains.Twins.TwinOptions>()
            .Validate<IOptions<HistoryOptions>>((twins, history) => history.Value.Retention > twins.SnapshotMaxAge * 2,
                "History:Retention must be more than twice Twins:SnapshotMaxAge (a twin replays the uplinks after its snapshot from the history)");
        services.AddSingleton<PostgresHistory>();
        services.AddSingleton<ITwinHistory>(sp => sp.GetRequiredService<PostgresHistory>());
        services.AddSingleton<IUplinkJournal>(sp => sp.GetRequiredService<PostgresHistory>());
        services.AddHostedService(sp => sp.GetRequiredService<PostgresHistory>());
        services.AddHostedService<HistoryRetention>();
        services.AddHostedService<Live.LiveResyncOnSiloLoss>();
        services.AddHostedService<DeadSiloFencing>();

        // One audit trail for the whole cluster, and the dead letters beside it, in PostgreSQL; the web
        // role keeps this IAuditLog rather than its in-memory one. Registered before the roles, so it stops after them.
        // Each silo wakes the twins of the devices it owns, at start and when it inherits a silo's share.
        services.AddOptions<TwinWakeOptions>().BindConfiguration(TwinWakeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHostedService<TwinWake>();
        services.AddOptions<AuditRetentionOptions>().BindConfiguration(AuditRetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DeadLetterRetentionOptions>().BindConfiguration(DeadLetterRetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<PostgresAuditLog>();
        services.AddSingleton<Grains.Interfaces.Audit.IAuditLog>(sp => sp.GetRequiredService<PostgresAuditLog>());
        services.AddHostedService(sp => sp.GetRequiredService<PostgresAuditLog>());
        services.AddSingleton<PostgresDeadLetters>();
        services.AddHostedService(sp => sp.GetRequiredService<PostgresDeadLetters>());
        services.AddSingleton<Gateway.Ingest.DeadLetters.IDeadLetterReader, PostgresDeadLetterReader>();
        services.AddHostedService<DurableTrailRetention>();

        // One instance, so that close polls share its probe; Degraded (still 200) while the database is away.
        services.AddSingleton<PostgresHealthCheck>();
        services.AddHealthChecks().AddCheck<PostgresHealthCheck>("postgres", tags: ["ready"]);

        IReadOnlyList<string> insecureHops = ClusterTls.InsecureHops(configuration, connectionString);
        services.AddHostedService(sp => new InsecureClusterWarning(insecureHops, sp.GetRequiredService<ILogger<InsecureClusterWarning>>()));
        services.AddHostedService<ClusterRuntimeAdvice>();

        ApplyIngestDefaults(configuration);
    }

    /// <summary>
    /// Ingest settings a cluster silo takes other than the embedded city's, where the configuration
    /// leaves them out: the shared subscription's group.
    /// </summary>
    public static void ApplyIngestDefaults(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        // Every silo takes a share of the uplinks, under a session of its own named after the silo.
        if (string.IsNullOrWhiteSpace(configuration["Mqtt:SharedGroup"]))
        {
            configuration["Mqtt:SharedGroup"] = "twincity";
        }

        // The MQTT window is the embedded city's (Mqtt:InFlight): uplinks a survivor holds for a hung
        // silo that is not yet declared dead wait beside it (Mqtt:WaitingForSilentSilos), not in it.

        // Lanes stay the embedded city's (Mqtt:Lanes, 256). Fewer cut three capped silos' CPU per
        // uplink by about a tenth, but they are also how many twins a silo wakes at once: with 32, a
        // whole city's wake after a restart took 8 to 79 % longer in three pairs of runs (bench/README.md).
    }

    public static void ConfigureSilo(ISiloBuilder silo, IConfiguration configuration, string connectionString, OrleansHostOptions orleans)
    {
        // How fast a dead or hung silo is noticed: TwinCity's defaults first, then whatever an operator
        // (or a test) sets under Orleans:Membership. See ClusterMembershipDefaults for why these values.
        silo.Configure<Orleans.Configuration.ClusterMembershipOptions>(o => ClusterMembershipDefaults.Apply(o, configuration.GetSection("Orleans:Membership")));
        silo.Configure<Orleans.Configuration.SiloOptions>(o => o.SiloName = SiloName);

        // Orleans' directory cache would keep the address of every grain this silo registered with
        // another silo's part of the directory, its own activations included (about 420 bytes an
        // entry: a heap dump of a silo holding 26,764 woken twins held 49,000 of them), and without
        // it a call to a twin on this very silo asks another silo where the twin is. So the cache
        // finds this silo's own activations in its catalog, and keeps, up to a cap, only the grains
        // this silo calls elsewhere (cells, twins read through the API); see LocalFirstDirectoryCache.
        // Orleans:DirectoryCacheSize sets the cap. (Not under Orleans:GrainDirectory: Orleans reads
        // every key there as the name of a grain directory provider and stops the silo when none has it.)
        silo.Configure<Orleans.Configuration.GrainDirectoryOptions>(o =>
            o.CacheSize = configuration.GetValue(DirectoryCacheSizeKey, DirectoryCacheSize));
        silo.UseLocalFirstDirectoryCache();
        silo.Configure<Orleans.Configuration.ClusterOptions>(o =>
        {
            o.ClusterId = orleans.ClusterId;
            o.ServiceId = orleans.ServiceId;
        });
        silo.ConfigureEndpoints(AdvertisedAddress(orleans), orleans.SiloPort, orleans.GatewayPort, listenOnAnyHostAddress: true);
        ClusterTls.Configure(silo, configuration);
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
        });
        StateFormat stateFormat = ReadStateFormat(configuration);
        foreach (string name in new[] { TwinStorage.Name, TwinStorage.Registry })
        {
            // Orleans' provider takes the serializer registered under its name (docs/cluster.md, "Stored state").
            silo.Services.AddKeyedSingleton<IGrainStorageSerializer>(name, (sp, _) => new StateSerializer(
                sp.GetRequiredService<Orleans.Serialization.Serializer>(),
                sp.GetRequiredService<IGrainStorageSerializer>(),
                stateFormat));
            silo.AddAdoNetGrainStorage(name, o =>
            {
                o.Invariant = Invariant;
                o.ConnectionString = connectionString;
            });

            // Orleans' provider, with the reads of grains waking together gathered into one query, and the writes into one statement.
            silo.Services.AddKeyedSingleton<IGrainStorage>(name, (sp, _) => new BatchedGrainStorage(
                AdoNetGrainStorageFactory.Create(sp, name),
                name,
                sp.GetRequiredService<IOptionsMonitor<Orleans.Configuration.AdoNetGrainStorageOptions>>().Get(name),
                sp.GetRequiredService<IOptions<Orleans.Configuration.ClusterOptions>>(),
                sp.GetRequiredService<NpgsqlDataSource>(),
                sp.GetRequiredService<ILogger<BatchedGrainStorage>>()));
        }

        // Each device's uplinks are applied on the silo that owns it (docs/decisions/device-affinity.md).
        silo.AddIngestAffinity();

        // A twin's changes reach cells on other silos in one batch per silo, not a message each.
        silo.AddCellRelay();

        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
        });
    }

    /// <summary>The setting that sizes the grain directory cache in cluster mode.</summary>
    public const string DirectoryCacheSizeKey = "Orleans:DirectoryCacheSize";

    /// <summary>The grain directory cache's size in cluster mode unless <see cref="DirectoryCacheSizeKey"/> says otherwise (Orleans' default is 1,000,000).</summary>
    public const int DirectoryCacheSize = 20_000;

    /// <summary>The setting naming the form grain states are written in (<see cref="StateFormat"/>); reads take both.</summary>
    public const string StateFormatKey = "Storage:StateFormat";

    /// <summary>The configured <see cref="StateFormat"/>: binary unless set; a value that names neither stops the silo with the reason.</summary>
    public static StateFormat ReadStateFormat(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        string? text = configuration[StateFormatKey];
        if (string.IsNullOrWhiteSpace(text))
        {
            return StateFormat.Binary;
        }

        return Enum.TryParse(text.Trim(), ignoreCase: true, out StateFormat format) && Enum.IsDefined(format)
            ? format
            : throw new InvalidOperationException($"{StateFormatKey} is '{text}': it must be Binary or Json.");
    }

    private static IPAddress AdvertisedAddress(OrleansHostOptions orleans)
    {
        if (!string.IsNullOrWhiteSpace(orleans.AdvertisedAddress))
        {
            return IPAddress.Parse(orleans.AdvertisedAddress);
        }

        // Another machine must reach this silo: the first non-loopback IPv4 address, else loopback (one machine).
        return Dns.GetHostAddresses(Dns.GetHostName())
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a)) ?? IPAddress.Loopback;
    }
}
