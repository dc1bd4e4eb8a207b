namespace TwinCity.Gateway.Ingest.Envelopes;

/// <summary>Event names as they appear in ChirpStack topics and the HTTP integration's <c>?event=</c>.</summary>
public static class NetworkEvents
{
    public static NetworkEvent FromChirpStackName(ReadOnlySpan<char> name) => name switch
    {
        "up" => NetworkEvent.Up,
        "join" => NetworkEvent.Join,
        "status" => NetworkEvent.Status,
        "ack" => NetworkEvent.Ack,
        "txack" => NetworkEvent.TxAck,
        "log" => NetworkEvent.Log,
        _ => NetworkEvent.Unknown,
    };

    public static NetworkEvent FromChirpStackName(ReadOnlySpan<byte> utf8) => utf8 switch
    {
        _ when utf8.SequenceEqual("up"u8) => NetworkEvent.Up,
        _ when utf8.SequenceEqual("join"u8) => NetworkEvent.Join,
        _ when utf8.SequenceEqual("status"u8) => NetworkEvent.Status,
        _ when utf8.SequenceEqual("ack"u8) => NetworkEvent.Ack,
        _ when utf8.SequenceEqual("txack"u8) => NetworkEvent.TxAck,
        _ when utf8.SequenceEqual("log"u8) => NetworkEvent.Log,
        _ => NetworkEvent.Unknown,
    };

    public static string Name(NetworkEvent e) => e switch
    {
        NetworkEvent.Up => "up",
        NetworkEvent.Join => "join",
        NetworkEvent.Status => "status",
        NetworkEvent.Ack => "ack",
        NetworkEvent.TxAck => "txack",
        NetworkEvent.Log => "log",
        NetworkEvent.Nack => "nack",
        NetworkEvent.DownlinkFailed => "failed",
        NetworkEvent.DownlinkQueued => "queued",
        _ => "unknown",
    };
}
