namespace TwinCity.Gateway.Ingest.Affinity;

/// <summary>
/// Raw network-server messages one silo passes to the silo that owns their devices: the topics, and
/// every payload end to end in one array (message i is <c>Data[Ends[i-1]..Ends[i]]</c>), so that a
/// batch of hundreds is three objects on the wire rather than hundreds.
/// </summary>
[GenerateSerializer, Immutable, Alias("twincity.ForwardBatch")]
public sealed record ForwardBatch(
    [property: Id(0)] string[] Topics,
    [property: Id(1)] byte[] Data,
    [property: Id(2)] int[] Ends)
{
    public int Count => Topics.Length;

    /// <summary>The payload of message <paramref name="index"/>.</summary>
    public ReadOnlyMemory<byte> Payload(int index) =>
        Data.AsMemory(index == 0 ? 0 : Ends[index - 1], Ends[index] - (index == 0 ? 0 : Ends[index - 1]));

    /// <summary>A batch of the messages in <paramref name="items"/>, in their order.</summary>
    internal static ForwardBatch Of(IReadOnlyList<Intake.IntakeItem> items)
    {
        int total = 0;
        for (int i = 0; i < items.Count; i++)
        {
            total += items[i].Payload.Length;
        }

        var topics = new string[items.Count];
        var data = new byte[total];
        var ends = new int[items.Count];
        int at = 0;
        for (int i = 0; i < items.Count; i++)
        {
            topics[i] = items[i].Topic;
            items[i].Payload.Span.CopyTo(data.AsSpan(at));
            at += items[i].Payload.Length;
            ends[i] = at;
        }

        return new ForwardBatch(topics, data, ends);
    }
}
