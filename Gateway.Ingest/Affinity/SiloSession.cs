namespace TwinCity.Gateway.Ingest.Affinity;

/// <summary>
/// The broker session of a cluster silo, named after the silo itself (its address and the generation
/// Orleans gave this start of it): any survivor can name a dead silo's session from the membership
/// table alone, and a silo that starts again is a new member with a new session.
/// </summary>
public sealed class SiloSession(ILocalSiloDetails localSilo, IClusterMembershipService membership, Microsoft.Extensions.Options.IOptions<Mqtt.MqttOptions> options)
{
    /// <summary>This silo's client id at the broker.</summary>
    public string ClientId { get; } = ClientIdOf(options.Value.SharedGroup ?? "twincity", localSilo.SiloAddress);

    /// <summary>
    /// Whether the cluster has declared this silo dead, read afresh from the membership table. A silo
    /// that was hung (SIGSTOP) and runs again must not open its session again: a survivor has taken its
    /// share over, and Orleans is about to stop this process.
    /// </summary>
    public async Task<bool> DeclaredDeadAsync(CancellationToken cancellationToken)
    {
        try
        {
            await membership.Refresh(default, cancellationToken);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException and not OperationCanceledException)
        {
            // The table cannot be read now: judge by what is known.
        }

        return membership.CurrentSnapshot.GetSiloStatus(localSilo.SiloAddress) == SiloStatus.Dead;
    }

    /// <summary>The client id of <paramref name="silo"/>'s session in the shared group <paramref name="group"/>.</summary>
    public static string ClientIdOf(string group, SiloAddress silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        return $"{group}-{silo.Endpoint.Address}-{silo.Endpoint.Port}-{silo.Generation}";
    }
}
