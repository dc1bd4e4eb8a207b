using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TwinCity.Grains.Cells;
using TwinCity.Grains.Devices;
using TwinCity.Grains.History;
using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Grains.Interfaces.History;
using TwinCity.Grains.Rules;
using TwinCity.Grains.Twins;

namespace TwinCity.Grains;

/// <summary>What the grains need from the silo's container.</summary>
public static class GrainsExtensions
{
    public static ISiloBuilder AddTwinCityGrains(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.AddOptions<TwinOptions>();
        silo.Services.TryAddSingleton<CityDownlinkBudget>();
        // The embedded city keeps recent history in memory; cluster mode registers PostgreSQL first.
        silo.Services.TryAddSingleton<InMemoryHistory>(_ => new InMemoryHistory());
        silo.Services.TryAddSingleton<ITwinHistory>(sp => sp.GetRequiredService<InMemoryHistory>());
        silo.Services.TryAddSingleton<IUplinkJournal>(sp => sp.GetRequiredService<InMemoryHistory>());
        silo.Services.AddOptions<CellOptions>();
        silo.Services.TryAddSingleton<ICellUpdates, DirectCellUpdates>();
        silo.Services.AddOptions<RulesOptions>();
        silo.Services.TryAddSingleton<RuleCache>();
        silo.Services.AddSingleton<ITwinChangeHook, RulesHook>();
        silo.Services.TryAddSingleton<TwinMetrics>();
        silo.Services.TryAddSingleton<TwinDueTimes>();
        silo.Services.TryAddSingleton<TwinServices>();
        silo.Services.TryAddSingleton<IDeviceRegistrations, StoredDeviceRegistrations>();
        silo.Services.TryAddSingleton<ITwinDirectory, StoredTwinDirectory>();
        return silo;
    }
}
