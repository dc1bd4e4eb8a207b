namespace TwinCity.Silo.Database;

/// <summary>
/// Brings the database up to date before Orleans starts (it is registered ahead of the silo, and
/// hosted services start in order). Several silos starting at once serialize on the migrator's lock.
/// </summary>
internal sealed class MigrationOnStart(string connectionString, ILogger<MigrationOnStart> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken) =>
        await new SchemaMigrator(SchemaMigrator.DefaultMigrationsPath, logger).MigrateAsync(connectionString, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
