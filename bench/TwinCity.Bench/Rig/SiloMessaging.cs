using TwinCity.Testing;

namespace TwinCity.Bench.Rig;

/// <summary>
/// What one silo's <c>/metrics</c> says about its messages, cumulative since it started: from Orleans'
/// own meter (<c>Microsoft.Orleans</c>) the messages it sent to other silos (the count of the histogram
/// <c>orleans-messaging-sent-messages-size</c> over the series tagged <c>ConnectionDirection=SiloToSilo</c>),
/// the messages it delivered inside itself (<c>orleans-messaging-sent-local</c>) and the membership
/// pings it sent (<c>orleans-messaging-pings-sent</c>; each is a message to another silo and so is
/// counted in <see cref="SentToSilos"/> too, as is its reply by the silo pinged); and from the twins'
/// meter the uplinks applied by a twin on the silo whose ingest took them (<c>twincity.twins.uplinks</c>
/// with <c>placement=local</c>) or on another (<c>remote</c>), null while the silo does not export it;
/// and, to tell what the messages between silos carried, the batches of uplinks ingest passed to the
/// silos owning their devices (<c>twincity.ingest.forward_batches</c>) and the batches of twin changes
/// passed to cells on other silos (<c>twincity.cells.relay_batches</c>); each of those is a call, so
/// two messages with its answer. <see cref="OneWayToSilos"/> is the part of <see cref="SentToSilos"/>
/// that were one-way messages (<c>MessageDirection=OneWay</c>); the rest are calls and their answers.
/// Beside the messages, the time the silo has spent compiling code (<see cref="JitSeconds"/>, the
/// runtime's <c>dotnet.jit.compilation.time</c>): a window that still holds much of it measures a silo
/// warming up, not one in its steady state.
/// </summary>
public sealed record SiloMessaging(
    double SentToSilos,
    double SentLocal,
    double PingsSent,
    double? TwinUplinksLocal,
    double? TwinUplinksRemote,
    double ForwardBatches = 0,
    double CellBatches = 0,
    double OneWayToSilos = 0,
    double? JitSeconds = null)
{
    public const string JitTimeCounter = "dotnet_jit_compilation_time_seconds_total";

    /// <summary>The histogram's name as Prometheus shows it starts so; the exporter appends the unit (<c>_bytes</c>) and then <c>_count</c>.</summary>
    public const string SentSizeHistogram = "orleans_messaging_sent_messages_size";

    public const string SiloToSiloLabel = "ConnectionDirection=\"SiloToSilo\"";
    public const string SentLocalCounter = "orleans_messaging_sent_local";
    public const string PingsSentCounter = "orleans_messaging_pings_sent";
    public const string TwinUplinksCounter = "twincity_twins_uplinks_total";
    public const string LocalPlacementLabel = "placement=\"local\"";
    public const string RemotePlacementLabel = "placement=\"remote\"";
    public const string OneWayLabel = "MessageDirection=\"OneWay\"";
    public const string ForwardBatchesCounter = "twincity_ingest_forward_batches_total";
    public const string CellBatchesCounter = "twincity_cells_relay_batches_total";

    public static SiloMessaging Empty { get; } = new(0, 0, 0, 0, 0, JitSeconds: 0);

    /// <summary>Reads a scrape; a message series not there yet counts 0 (Orleans makes it on the first message), the twins' counter stays null.</summary>
    public static SiloMessaging Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string? sentCount = CountSeries(text, SentSizeHistogram);
        double? local = PrometheusText.Sum(text, TwinUplinksCounter, LocalPlacementLabel);
        double? remote = PrometheusText.Sum(text, TwinUplinksCounter, RemotePlacementLabel);

        // A silo that exports the counter but has applied only one placement so far has no series for the other yet.
        bool placements = local is not null || remote is not null;
        return new SiloMessaging(
            (sentCount is null ? null : PrometheusText.Sum(text, sentCount, SiloToSiloLabel)) ?? 0,
            PrometheusText.Sum(text, SentLocalCounter) ?? 0,
            PrometheusText.Sum(text, PingsSentCounter) ?? 0,
            placements ? local ?? 0 : null,
            placements ? remote ?? 0 : null,
            PrometheusText.Sum(text, ForwardBatchesCounter) ?? 0,
            PrometheusText.Sum(text, CellBatchesCounter) ?? 0,
            (sentCount is null ? null : PrometheusText.Sum(text, sentCount, [SiloToSiloLabel, OneWayLabel])) ?? 0,
            PrometheusText.Sum(text, JitTimeCounter));
    }

    /// <summary>What changed from <paramref name="earlier"/> to this reading; the placements stay null unless both readings have them.</summary>
    public SiloMessaging Minus(SiloMessaging earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        return new SiloMessaging(
            SentToSilos - earlier.SentToSilos,
            SentLocal - earlier.SentLocal,
            PingsSent - earlier.PingsSent,
            TwinUplinksLocal - earlier.TwinUplinksLocal,
            TwinUplinksRemote - earlier.TwinUplinksRemote,
            ForwardBatches - earlier.ForwardBatches,
            CellBatches - earlier.CellBatches,
            OneWayToSilos - earlier.OneWayToSilos,
            JitSeconds - earlier.JitSeconds);
    }

    /// <summary>The sum over silos; the placements are null when any silo lacks them.</summary>
    public static SiloMessaging Sum(IEnumerable<SiloMessaging> silos)
    {
        ArgumentNullException.ThrowIfNull(silos);
        SiloMessaging sum = Empty;
        foreach (SiloMessaging s in silos)
        {
            sum = new SiloMessaging(
                sum.SentToSilos + s.SentToSilos,
                sum.SentLocal + s.SentLocal,
                sum.PingsSent + s.PingsSent,
                sum.TwinUplinksLocal + s.TwinUplinksLocal,
                sum.TwinUplinksRemote + s.TwinUplinksRemote,
                sum.ForwardBatches + s.ForwardBatches,
                sum.CellBatches + s.CellBatches,
                sum.OneWayToSilos + s.OneWayToSilos,
                sum.JitSeconds + s.JitSeconds);
        }

        return sum;
    }

    /// <summary>The share of twin uplink calls that stayed on the ingesting silo; null when not exported or when there were none.</summary>
    public double? LocalShare =>
        TwinUplinksLocal is double local && TwinUplinksRemote is double remote && local + remote > 0 ? local / (local + remote) : null;

    /// <summary>The exact name of a histogram's <c>_count</c> series whose name starts with <paramref name="prefix"/> (the unit suffix varies with the exporter).</summary>
    private static string? CountSeries(string text, string prefix)
    {
        foreach (string line in text.Split('\n'))
        {
            if (!line.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            int end = line.IndexOfAny(['{', ' ']);
            string name = end < 0 ? line : line[..end];
            if (name.EndsWith("_count", StringComparison.Ordinal))
            {
                return name;
            }
        }

        return null;
    }
}
