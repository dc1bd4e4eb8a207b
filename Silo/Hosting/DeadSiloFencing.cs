using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace TwinCity.Silo.Hosting;

/// <summary>
/// Cluster mode: ends the PostgreSQL sessions of a silo Orleans has declared dead, as the session
/// takeover ends its broker session.
/// </summary>
/// <remarks>
/// A hung silo (SIGSTOP, a frozen VM) keeps its database sessions open, and with them any transaction it
/// was in: a history batch whose rows the survivors then write again after the takeover makes their
/// inserts wait on the same keys for as long as it hangs, and the whole cluster's history with them.
/// Each silo names its sessions after itself (<see cref="ClusterHosting.SiloName"/>, also its name in the
/// membership table), so every survivor ends the dead silo's sessions by that name; ending them twice
/// costs nothing, and a silo started again has a new name. A silo seen leaving gracefully (shutting
/// down or stopping) is not fenced: it is marked dead before its last history flush.
/// </remarks>
internal sealed partial class DeadSiloFencing(IClusterMembershipService membership, ILocalSiloDetails self, NpgsqlDataSource database, ILogger<DeadSiloFencing> logger)
    : BackgroundService
{
    private const string Terminate = """
        SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))
        FROM pg_stat_activity
        WHERE application_name = @name AND pid <> pg_backend_pid()
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var fenced = new HashSet<SiloAddress>(membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Dead).Select(m => m.SiloAddress));
        var leaving = new HashSet<SiloAddress>();
        try
        {
            await foreach (ClusterMembershipSnapshot snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                foreach (ClusterMember member in snapshot.Members.Values)
                {
                    // A silo that stops gracefully is marked dead before its history writer's last flush:
                    // it is left alone, and its sessions close with it.
                    if (member.Status is SiloStatus.ShuttingDown or SiloStatus.Stopping)
                    {
                        leaving.Add(member.SiloAddress);
                    }

                    if (member.Status != SiloStatus.Dead || member.SiloAddress.Equals(self.SiloAddress) || !fenced.Add(member.SiloAddress)
                        || leaving.Contains(member.SiloAddress) || string.IsNullOrEmpty(member.Name) || member.Name == ClusterHosting.SiloName)
                    {
                        continue;
                    }

                    await FenceAsync(member, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task FenceAsync(ClusterMember dead, CancellationToken cancellationToken)
    {
        try
        {
            await using NpgsqlCommand command = database.CreateCommand(Terminate);
            command.Parameters.AddWithValue("name", dead.Name);
            long ended = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            LogFenced(dead.SiloAddress.ToString(), dead.Name, ended);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            // Its sessions end anyway once the hung process runs again and finds itself dead.
            LogFenceFailed(ex, dead.SiloAddress.ToString(), ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Dead} is dead: ended {Ended} of its PostgreSQL sessions ({Name})")]
    private partial void LogFenced(string dead, string name, long ended);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not end the PostgreSQL sessions of dead silo {Dead}: {Reason}")]
    private partial void LogFenceFailed(Exception exception, string dead, string reason);
}
