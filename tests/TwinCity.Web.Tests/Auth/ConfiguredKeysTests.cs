using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace TwinCity.Web.Tests.Auth;

/// <summary>Hashed keys from configuration, demo keys and keyless viewers turned off, and the per-key rate limit.</summary>
public sealed class ConfiguredKeysTests(LockedCityFactory city) : IClassFixture<LockedCityFactory>
{
    [Fact]
    public async Task A_configured_key_is_accepted_and_the_demo_keys_are_not()
    {
        using HttpClient configured = city.ClientWithKey(LockedCityFactory.CityKey);
        using HttpClient demo = city.ClientWithKey(TestKeys.City);

        Assert.Equal(HttpStatusCode.OK, (await configured.GetAsync("/api/v1/city")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await demo.GetAsync("/api/v1/city")).StatusCode);
    }

    [Fact]
    public async Task A_bearer_token_where_no_identity_provider_is_configured_is_a_401_problem()
    {
        using HttpClient client = city.ClientWithKey(null);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Bearer", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJtYWxsb3J5IiwiYWdlbmN5IjoiY2l0eSJ9.");

        HttpResponseMessage response = await client.GetAsync("/api/v1/city");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("bearer token is not valid", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Viewers_need_a_readers_key_when_keyless_viewers_are_off()
    {
        using HttpClient anonymous = city.ClientWithKey(null);

        HttpResponseMessage withoutKey = await anonymous.PostAsync("/hubs/city/negotiate?negotiateVersion=1", null);
        HttpResponseMessage withKey = await anonymous.PostAsync($"/hubs/city/negotiate?negotiateVersion=1&access_token={LockedCityFactory.TransportKey}", null);

        Assert.Equal(HttpStatusCode.Unauthorized, withoutKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
    }

    [Fact]
    public async Task A_key_over_its_limit_gets_429_with_retry_after_and_other_keys_are_not_held_back()
    {
        using HttpClient roads = city.ClientWithKey(LockedCityFactory.RoadsKey);
        HttpResponseMessage? refused = null;
        int accepted = 0;

        // The bucket holds Burst requests and refills one a second: far more than Burst quick calls must meet a refusal.
        for (int i = 0; i < LockedCityFactory.Burst * 6 && refused is null; i++)
        {
            HttpResponseMessage response = await roads.GetAsync("/api/v1/twins/stats");
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                accepted++;
            }
        }

        Assert.NotNull(refused);
        Assert.True(accepted >= LockedCityFactory.Burst, $"only {accepted} requests were let through before the refusal");
        Assert.True(refused.Headers.RetryAfter?.Delta is TimeSpan delta && delta >= TimeSpan.FromSeconds(1), $"Retry-After: {refused.Headers.RetryAfter}");
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        JsonElement problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(429, problem.GetProperty("status").GetInt32());

        using HttpClient cityClient = city.ClientWithKey(LockedCityFactory.CityKey);
        Assert.Equal(HttpStatusCode.OK, (await cityClient.GetAsync("/api/v1/twins/stats")).StatusCode);
    }
}
