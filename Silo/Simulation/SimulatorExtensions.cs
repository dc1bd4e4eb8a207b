using System.Globalization;

namespace TwinCity.Silo.Simulation;

/// <summary>Wiring of the city simulator.</summary>
public static class SimulatorExtensions
{
    /// <summary>
    /// Registers the simulator unless <c>Simulator:DevicesPerSecond</c> is 0. Call it after the host's
    /// own wiring, which maps <c>--simulate N</c> onto that key.
    /// </summary>
    public static WebApplicationBuilder AddCitySimulator(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        string? rate = builder.Configuration[$"{SimulatorOptions.Section}:{nameof(SimulatorOptions.DevicesPerSecond)}"];

        // A value that is not a number is left to the options binding, which stops start-up naming the key.
        if (int.TryParse(rate, NumberStyles.Integer, CultureInfo.InvariantCulture, out int perSecond) && perSecond == 0)
        {
            return builder;
        }

        builder.Services.AddOptions<SimulatorOptions>()
            .BindConfiguration(SimulatorOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.ReadyTimeout >= TimeSpan.Zero, "Simulator:ReadyTimeout must not be negative")
            .Validate(o => o.MaxReconnectDelay > TimeSpan.Zero, "Simulator:MaxReconnectDelay must be positive")
            .ValidateOnStart();
        builder.Services.AddHostedService<CitySimulator>();
        return builder;
    }
}
