using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;

namespace TwinCity.Bench.Rig;

/// <summary>
/// A full, blocking collection in another .NET process, asked for over its diagnostics port as
/// <c>dotnet-gcdump</c> does (an EventPipe session with the runtime's GC heap-collect keyword), so
/// that what the silo reports as live after its latest full collection is what is live now.
/// </summary>
public static class InducedCollection
{
    private const long GcKeyword = 0x1;
    private const long GcHeapCollectKeyword = 0x800000;

    public static async Task RunAsync(int processId, CancellationToken cancellationToken)
    {
        var client = new DiagnosticsClient(processId);
        using EventPipeSession session = await client.StartEventPipeSessionAsync(
            [new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, GcKeyword | GcHeapCollectKeyword)],
            requestRundown: false,
            circularBufferMB: 16,
            cancellationToken);

        // The session's events must be read or the runtime stops writing them; the collection itself
        // runs as the session starts.
        Task drain = session.EventStream.CopyToAsync(Stream.Null, cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        await session.StopAsync(cancellationToken);
        await drain.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
    }
}
