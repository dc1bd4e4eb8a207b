using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace TwinCity.Web.Errors;

/// <summary>
/// Turns the request errors that ASP.NET Core raises before a handler runs (a body over the size
/// limit, a query parameter that does not bind, such as <c>limit=abc</c>) into problem details with
/// their own status and a detail that names what was wrong, instead of a bare 400 or a 500.
/// Their message says what the client sent; it holds no stack trace and no server detail.
/// </summary>
public sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        httpContext.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = bad.StatusCode,
                Title = bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Too large" : "Bad request",
                Detail = bad.Message,
            },
        });
    }
}
