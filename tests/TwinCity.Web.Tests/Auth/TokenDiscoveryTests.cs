using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace TwinCity.Web.Tests.Auth;

/// <summary>Bearer tokens checked against the keys an identity provider publishes by OIDC discovery, from outside the city's process.</summary>
public sealed class TokenDiscoveryTests(DiscoveryCity fixture) : IClassFixture<DiscoveryCity>
{
    [Fact]
    public async Task A_token_of_the_provider_signs_in_and_one_signed_elsewhere_or_for_another_audience_does_not()
    {
        using RSA stranger = RSA.Create(2048);

        using HttpResponseMessage valid = await GetAsync(fixture.Token("transport"));
        using HttpResponseMessage forged = await GetAsync(fixture.Token("transport", signer: stranger));
        using HttpResponseMessage elsewhere = await GetAsync(fixture.Token("transport", audience: "another-api"));
        using HttpResponseMessage unknown = await GetAsync(fixture.Token("police"));

        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Contains("signature does not verify", (await forged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, elsewhere.StatusCode);
        Assert.Contains("another audience", (await elsewhere.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, unknown.StatusCode);
        Assert.Contains("'police' is not one of this city's agencies", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> GetAsync(string token)
    {
        using var http = new HttpClient { BaseAddress = fixture.City.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.GetAsync(new Uri("/api/v1/twins/stats", UriKind.Relative));
    }
}
