using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TwinCity.Grains;
using TwinCity.Grains.Cells;
using TwinCity.Grains.Cluster;
using TwinCity.Grains.Rules;
using TwinCity.Grains.Storage;
using TwinCity.Grains.Twins;
using TwinCity.Silo.Operations;
using TwinCity.Silo.Seeding;
using TwinCity.Silo.Simulation;
using TwinCity.Web.Auth;

namespace TwinCity.Silo.Hosting;

/// <summary>The host's own wiring: options, Orleans and its providers, the seed city.</summary>
public static class HostExtensions
{
    public static WebApplicationBuilder AddTwinCityHost(this WebApplicationBuilder builder, string[] args)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // "--simulate N" is the documented switch for Simulator:DevicesPerSecond.
        builder.Configuration.AddCommandLine(
            args,
            new Dictionary<string, string> { ["--simulate"] = "Simulator:DevicesPerSecond" });

        // First, so that the previous run's methods compile ahead of everything the host builds next.
        JitProfileStart jitProfile = JitProfile.Start(builder.Configuration);

        IServiceCollection services = builder.Services;
        services.AddSingleton(jitProfile);
        services.AddHostedService<JitProfileReport>();
        services.AddOptions<TwinCityHostOptions>().BindConfiguration(TwinCityHostOptions.Section).ValidateOnStart();
        services.AddOptions<OrleansHostOptions>().BindConfiguration(OrleansHostOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TwinOptions>().BindConfiguration(TwinOptions.Section)
            .Validate(o => o.OfflineFactor >= 1, "Twins:OfflineFactor must be at least 1")
            .Validate(o => o.SnapshotQuietPeriod > TimeSpan.Zero, "Twins:SnapshotQuietPeriod must be positive")
            .Validate(o => o.SnapshotAfterUplinks is >= 0 and <= 254, "Twins:SnapshotAfterUplinks must be from 0 to 254")
            .Validate(o => o.SnapshotMaxAge > TimeSpan.Zero, "Twins:SnapshotMaxAge must be positive")
            .Validate(o => o.DownlinksPerDevice >= 1, "Twins:DownlinksPerDevice must be at least 1")
            .Validate(o => o.DownlinkWindow > TimeSpan.Zero, "Twins:DownlinkWindow must be positive")
            .Validate(o => o.CityDownlinksPerSecond >= 1, "Twins:CityDownlinksPerSecond must be at least 1")
            .Validate(o => o.CityDownlinkBurst >= 1, "Twins:CityDownlinkBurst must be at least 1")
            .ValidateOnStart();
        services.AddOptions<RulesOptions>().BindConfiguration(RulesOptions.Section)
            .Validate(o => o.Latitude is >= -90 and <= 90, "Rules:Latitude must be within -90..90")
            .Validate(o => o.Longitude is >= -180 and <= 180, "Rules:Longitude must be within -180..180")
            .Validate(o => o.UtcOffset >= TimeSpan.FromHours(-14) && o.UtcOffset <= TimeSpan.FromHours(14), "Rules:UtcOffset must be within -14:00..14:00")
            .Validate(o => o.CacheLease > TimeSpan.Zero, "Rules:CacheLease must be positive")
            .Validate(o => o.FiringsKept >= 1, "Rules:FiringsKept must be at least 1")
            .Validate(o => o.MaxChainDepth >= 1, "Rules:MaxChainDepth must be at least 1")
            .ValidateOnStart();
        services.AddOptions<CellOptions>().BindConfiguration(CellOptions.Section)
            .Validate(o => o.BatchWindow >= TimeSpan.Zero, "Cells:BatchWindow must not be negative")
            .Validate(o => o.ObserverLease > TimeSpan.Zero, "Cells:ObserverLease must be positive")
            .Validate(o => o.RelayWindow > TimeSpan.Zero, "Cells:RelayWindow must be positive")
            .Validate(o => o.RelayBatch >= 1, "Cells:RelayBatch must be at least 1")
            .ValidateOnStart();
        services.AddOptions<SeedOptions>().BindConfiguration(SeedOptions.Section);
        services.AddSingleton(TimeProvider.System);

        TwinCityHostOptions host = builder.Configuration.GetSection(TwinCityHostOptions.Section).Get<TwinCityHostOptions>() ?? new();
        OrleansHostOptions orleans = builder.Configuration.GetSection(OrleansHostOptions.Section).Get<OrleansHostOptions>() ?? new();

        string? connectionString = null;
        if (host.Mode == HostMode.Cluster)
        {
            connectionString = ClusterHosting.ValidatedConnectionString(builder.Configuration);
            ClusterHosting.AddClusterServices(services, builder.Configuration, connectionString, orleans);
        }

        builder.UseOrleans(silo =>
        {
            silo.AddTwinCityGrains();
            if (OperationsExtensions.DashboardEnabled(builder.Configuration))
            {
                silo.AddTwinCityDashboard();
            }
            if (host.Mode == HostMode.Embedded)
            {
                silo.UseLocalhostClustering(
                    orleans.SiloPort,
                    orleans.GatewayPort,
                    orleans.PrimarySiloPort is int primary ? new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, primary) : null,
                    serviceId: orleans.ServiceId,
                    clusterId: orleans.ClusterId);
                if (orleans.PrimarySiloPort is null)
                {
                    silo.UseOneSiloStorage();
                    if (!orleans.Joinable)
                    {
                        silo.UseLoneSiloDirectory();
                    }
                }
                else
                {
                    // Several embedded silos share Orleans' memory storage grains, so a twin that
                    // moves to another silo finds its state there.
                    silo.AddMemoryGrainStorage(TwinStorage.Name);
                    silo.AddMemoryGrainStorage(TwinStorage.Registry);
                }
                silo.UseInMemoryReminderService();
            }
            else
            {
                ClusterHosting.ConfigureSilo(silo, builder.Configuration, connectionString!, orleans);
            }
        });

        if (host.Mode == HostMode.Embedded && (orleans.PrimarySiloPort is not null || orleans.Joinable))
        {
            // Embedded silos that join one another keep their registries apart (the first in its own
            // process), so none can say which twins another holds: there WatchTwin asks the twin itself.
            services.RemoveAll<TwinCity.Grains.Interfaces.Twins.ITwinDirectory>();
        }

        services.AddHostedService<SiloReporter>();

        if (builder.Configuration.GetValue(SeedOptions.Section + ":Enabled", host.Mode == HostMode.Embedded))
        {
            services.AddHostedService<CitySeeder>();
        }

        if (host.Mode == HostMode.Embedded)
        {
            // The embedded city's state lives and dies with the process: nothing to write on the way out.
            services.PostConfigure<TwinOptions>(o => o.SnapshotOnShutdown = false);

            // Only the local embedded city may accept the public demo keys and keyless map viewers.
            services.PostConfigure<AccessOptions>(o => o.MarkEmbeddedCity());
        }

        builder.AddCitySimulator();
        return builder;
    }
}
