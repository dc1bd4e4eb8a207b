using System.Net.Http.Json;

namespace TwinCity.Web.Tests;

/// <summary>The embedded city's demo keys (API.md), and requests made with a key other than the client's default.</summary>
public static class TestKeys
{
    public const string Header = "X-Api-Key";
    public const string City = "dev-city";
    public const string Azerishig = "dev-azerishig";
    public const string Azersu = "dev-azersu";
    public const string Roads = "dev-roads";
    public const string Transport = "dev-transport";
    public const string Network = "dev-network";

    /// <summary>Posts as a network server would (its own key), whatever key the client sends by default.</summary>
    public static Task<HttpResponseMessage> PostIngestAsync(this HttpClient http, string uri, HttpContent content)
    {
        ArgumentNullException.ThrowIfNull(http);
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        request.Headers.Add(Header, Network);
        return http.SendAsync(request);
    }

    public static Task<HttpResponseMessage> PostIngestAsJsonAsync<T>(this HttpClient http, string uri, T value) =>
        http.PostIngestAsync(uri, JsonContent.Create(value));

    /// <summary>A client of <paramref name="factory"/> that sends <paramref name="key"/> (none when null).</summary>
    public static HttpClient ClientWithKey<T>(this Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<T> factory, string? key)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        HttpClient client = factory.CreateClient();
        client.DefaultRequestHeaders.Remove(Header);
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add(Header, key);
        }

        return client;
    }
}
