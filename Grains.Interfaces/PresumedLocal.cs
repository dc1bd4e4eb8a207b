namespace TwinCity.Grains.Interfaces;

/// <summary>
/// Marks the grain a call on this thread is about to address as one that belongs on this silo, so
/// that a cluster silo's directory cache (<c>LocalFirstDirectoryCache</c>) answers "here" for it
/// when it is neither active here nor known elsewhere, instead of Orleans asking the silo that keeps
/// the grain's part of the directory whether it is active somewhere.
/// </summary>
/// <remarks>
/// Ingest applies a device's uplinks on the silo that owns the device, and its twin is placed there
/// (prefer-local placement), so a twin that is not active here is, but for a moment while the ring
/// settles, active nowhere: after a restart or a silo's loss every twin's first uplink asked another
/// silo, two calls in three, only to hear so. Presumed here, the call goes to this silo's catalog,
/// which activates the twin and registers it with the directory before the twin reads anything; were
/// the twin active elsewhere after all, the registration answers with that activation and Orleans
/// forwards the call to it, as with two silos that activate a grain at once.
/// <para>
/// Orleans addresses a call as it is sent, on the caller's thread, so the mark covers only the
/// synchronous part of one call: <c>using (PresumedLocal.Begin(id)) { pending = grain.CallAsync(); }</c>,
/// then await the call outside the block.
/// </para>
/// </remarks>
public static class PresumedLocal
{
    [ThreadStatic]
    private static GrainId _grain;

    /// <summary>Marks <paramref name="grain"/> until the returned scope is disposed.</summary>
    public static Scope Begin(GrainId grain)
    {
        _grain = grain;
        return default;
    }

    /// <summary>Whether a call on this thread is addressing <paramref name="grain"/>, marked as this silo's.</summary>
    public static bool Is(GrainId grain) => !_grain.IsDefault && _grain.Equals(grain);

    /// <summary>Ends the mark.</summary>
    public readonly struct Scope : IDisposable
    {
        public void Dispose() => _grain = default;
    }
}
