using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace TwinCity.Web.Json;

/// <summary>An <see cref="IResult"/> that writes its body with a <see cref="Utf8JsonWriter"/> callback.</summary>
public sealed class JsonBodyResult(Action<Utf8JsonWriter> write, int statusCode = StatusCodes.Status200OK, string? etag = null) : IResult
{
    public int StatusCode => statusCode;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        HttpResponse response = httpContext.Response;
        response.StatusCode = statusCode;
        response.ContentType = "application/json; charset=utf-8";
        if (etag is not null)
        {
            response.Headers.ETag = etag;
        }

        await using var writer = new Utf8JsonWriter(response.BodyWriter);
        write(writer);
        await writer.FlushAsync(httpContext.RequestAborted);
    }
}
