using System.Diagnostics.Metrics;
using TwinCity.Web.Live;

namespace TwinCity.Silo.Operations;

/// <summary>Gauges read when /metrics is scraped: what this silo serves right now.</summary>
internal sealed class SiloGauges : IDisposable
{
    public const string MeterName = "TwinCity.Silo";

    private readonly Meter _meter;

    public SiloGauges(IMeterFactory meters, LiveViewers viewers)
    {
        _meter = meters.Create(MeterName);
        _meter.CreateObservableGauge("twincity.viewers.connected", () => viewers.ConnectionCount, "{connection}", "SignalR map viewers connected to this silo");
    }

    public void Dispose() => _meter.Dispose();
}
