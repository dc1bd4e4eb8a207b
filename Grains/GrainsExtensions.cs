using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TwinCity.Grains.Cells;
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
        silo.Services.AddOptions<CellOptions>();
        return silo;
    }
}
