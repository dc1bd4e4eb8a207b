using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TwinCity.Silo.Simulation;

namespace TwinCity.Web.Tests.Simulation;

public sealed class SimulatorWiringTests
{
    [Theory]
    [InlineData(null, true)]
    [InlineData("200", true)]
    [InlineData("0", false)]
    public void Simulator_runs_unless_its_rate_is_zero(string? rate, bool registered)
    {
        WebApplicationBuilder builder = Builder(new() { ["Simulator:DevicesPerSecond"] = rate });

        builder.AddCitySimulator();

        Assert.Equal(registered, builder.Services.Any(s => s.ServiceType == typeof(IHostedService) && s.ImplementationType == typeof(CitySimulator)));
    }

    [Theory]
    [InlineData("Simulator:DevicesPerSecond", "-5", "Simulator:DevicesPerSecond")]
    [InlineData("Simulator:ApplicationId", "baku/city", "Simulator:ApplicationId")]
    [InlineData("Simulator:TimeScale", "0", "Simulator:TimeScale")]
    public void A_wrong_setting_is_refused_naming_its_key(string key, string value, string named)
    {
        WebApplicationBuilder builder = Builder(new() { [key] = value });

        builder.AddCitySimulator();
        using ServiceProvider services = builder.Services.BuildServiceProvider();

        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<SimulatorOptions>>().Value);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    private static WebApplicationBuilder Builder(Dictionary<string, string?> settings)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        return builder;
    }
}
