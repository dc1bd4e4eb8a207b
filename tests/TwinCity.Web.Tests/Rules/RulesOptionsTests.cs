using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TwinCity.Grains.Rules;
using TwinCity.Silo.Hosting;

namespace TwinCity.Web.Tests.Rules;

public sealed class RulesOptionsTests
{
    [Fact]
    public void The_chain_limit_defaults_to_three()
    {
        using ServiceProvider services = Host(new()).Services.BuildServiceProvider();

        Assert.Equal(3, services.GetRequiredService<IOptions<RulesOptions>>().Value.MaxChainDepth);
    }

    [Theory]
    [InlineData("Rules:MaxChainDepth", "0")]
    [InlineData("Rules:FiringsKept", "0")]
    public void A_wrong_setting_is_refused_naming_its_key(string key, string value)
    {
        using ServiceProvider services = Host(new() { [key] = value }).Services.BuildServiceProvider();

        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<RulesOptions>>().Value);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    private static WebApplicationBuilder Host(Dictionary<string, string?> settings)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        return builder.AddTwinCityHost([]);
    }
}
