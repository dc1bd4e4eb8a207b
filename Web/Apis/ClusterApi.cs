using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TwinCity.Grains.Interfaces.Cluster;
using TwinCity.Web.Json;

namespace TwinCity.Web.Apis;

/// <summary><c>GET /api/v1/cluster</c>: the silos, their status and address, twins active per kind on each, and ingest per silo.</summary>
public static class ClusterApi
{
    private static readonly (string GrainClass, string GrainType, string Kind)[] TwinClasses =
    [
        ("StreetlightGrain", "streetlight", "streetlights"),
        ("WaterMeterGrain", "watermeter", "water-meters"),
        ("RoadSensorGrain", "roadsensor", "road-sensors"),
        ("BusGrain", "bus", "buses"),
    ];

    public static RouteGroupBuilder MapClusterApi(this RouteGroupBuilder api)
    {
        api.MapGet("/cluster", GetAsync).WithTags("Cluster").WithSummary("Silos with status and address, twins active per kind per silo, ingest rate per silo.");
        return api;
    }

    public static async Task<JsonBodyResult> GetAsync(IGrainFactory grains, HttpContext context)
    {
        IManagementGrain management = grains.GetGrain<IManagementGrain>(0);
        MembershipEntry[] silos = await management.GetDetailedHosts(onlyActive: false);
        Orleans.Runtime.SimpleGrainStatistic[] statistics = await management.GetSimpleGrainStatistics();
        SiloReport[] reports = await grains.GetGrain<ISiloReportsGrain>(0).GetReportsAsync();
        return new JsonBodyResult(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("silos");
            foreach (MembershipEntry silo in silos.OrderBy(s => s.SiloAddress.ToString(), StringComparer.Ordinal))
            {
                string address = silo.SiloAddress.ToString();
                w.WriteStartObject();
                w.WriteString("address", address);
                w.WriteString("name", silo.SiloName);
                w.WriteString("host", silo.HostName);
                w.WriteString("status", silo.Status.ToString().ToLowerInvariant());
                TwinJson.WriteTime(w, "startedAt", silo.StartTime);
                TwinJson.WriteTime(w, "lastHeartbeat", silo.IAmAliveTime);
                w.WriteStartObject("twinsActive");
                foreach ((string grainClass, string grainType, string kind) in TwinClasses)
                {
                    // The statistic names the grain class (with or without namespace and assembly) or the Orleans grain type.
                    w.WriteNumber(kind, statistics
                        .Where(s => s.SiloAddress.Equals(silo.SiloAddress)
                            && (s.GrainType.Contains(grainClass, StringComparison.Ordinal) || string.Equals(s.GrainType, grainType, StringComparison.Ordinal)))
                        .Sum(s => s.ActivationCount));
                }

                w.WriteEndObject();
                SiloReport? report = reports.FirstOrDefault(r => r.Silo == address);
                w.WriteStartObject("ingest");
                w.WriteNumber("uplinksApplied", report?.UplinksApplied ?? 0);
                w.WriteNumber("uplinksPerSecond", Math.Round(report?.UplinksPerSecond ?? 0, 1));
                w.WriteEndObject();
                w.WriteNumber("viewersConnected", report?.ViewersConnected ?? 0);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }
}
