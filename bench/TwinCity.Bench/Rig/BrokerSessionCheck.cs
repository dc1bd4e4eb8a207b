namespace TwinCity.Bench.Rig;

/// <summary>What the broker said of one client id's session (<see cref="BrokerSession.CheckAsync"/>).</summary>
/// <param name="ClientId">The client id asked about.</param>
/// <param name="Present">The broker's session-present flag in its CONNACK: it still kept a session under that id.</param>
/// <param name="Held">The payloads of the messages the broker sent the check in the moment it waited, when a session was present: what it still held for it.</param>
public sealed record BrokerSessionCheck(string ClientId, bool Present, IReadOnlyList<byte[]> Held)
{
    public int MessagesHeld => Held.Count;
}
