namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>
/// Which twins exist, answered from storage without waking any twin: a viewer asking to watch a twin
/// that does not exist must not cost an activation (and, in a cluster, a directory entry) per guess.
/// </summary>
public interface ITwinDirectory
{
    /// <summary>True when the twin has been provisioned (it exists whether or not a device is bound to it now).</summary>
    ValueTask<bool> ExistsAsync(TwinKey key);
}
