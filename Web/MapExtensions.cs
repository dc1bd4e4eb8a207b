using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace TwinCity.Web;

/// <summary>
/// Serves the live map page: <c>/</c> is its <c>index.html</c>, and its scripts, styles and
/// libraries come from the <c>wwwroot</c> folder that the build puts beside the app's assemblies
/// (Web/ClientApp/ClientApp.targets), not from the content root, so it works the same under
/// <c>dotnet run</c>, from a published folder and in tests.
/// </summary>
public static class MapExtensions
{
    public static WebApplication MapCityMap(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        string root = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (!Directory.Exists(Path.Combine(root, "lib")))
        {
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MapExtensions))
                .LogWarning("The map page's files are missing from {Root}: build Web with npm available to get them.", root);
        }

        if (!Directory.Exists(root))
        {
            app.MapGet("/", () => Results.Problem(
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "The map page is not built",
                    detail: $"There is no {root}; build the Web project with npm available."))
                .ExcludeFromDescription()
                .AllowAnonymous();
            return app;
        }

        var files = new PhysicalFileProvider(root);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = string.Empty });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            ContentTypeProvider = new FileExtensionContentTypeProvider(),
            OnPrepareResponse = context =>
            {
                // The page's own files change with every build and are small: always revalidate.
                // The pinned libraries under lib/ only change with package-lock.json.
                bool library = context.Context.Request.Path.StartsWithSegments("/lib", StringComparison.Ordinal);
                context.Context.Response.Headers.CacheControl = library ? "public, max-age=3600" : "no-cache";
            },
        });
        return app;
    }
}
