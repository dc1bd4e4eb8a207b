using TwinCity.Bench.Cli;
using TwinCity.Bench.Load;
using TwinCity.Bench.Measure;
using TwinCity.Bench.Reporting;
using TwinCity.Bench.Scenarios;
using TwinCity.Gateway.Ingest.Codecs;
using TwinCity.Gateway.Ingest.Envelopes;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Bench.Tests;

/// <summary>The pieces the figures rest on: what the publisher sends, how rates and percentiles are taken, how targets are judged.</summary>
public sealed class HarnessPartsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(46)]
    [InlineData(49)]
    public void Every_kind_of_bench_uplink_parses_and_decodes_with_the_platforms_own_code(int index)
    {
        BenchDevice device = CityDevices.Get(index, DeviceMix.City);
        byte[] json = UplinkFactory.Up(device, 7, DateTime.UtcNow);

        Assert.True(ChirpStackParser.TryParse(json, NetworkEvent.Up, out Envelope parsed, out string? error), error);
        Assert.Equal(7u, parsed.FCnt);
        var readings = new List<Reading>();
        Assert.True(CodecRegistry.Default.TryGet(device.Codec, out IPayloadCodec? codec));
        DecodeResult result = codec!.Decode(parsed.Data, parsed.FPort, new CodecContext(device.Kind), readings);
        Assert.True(result.Ok, result.Error);
        Assert.NotEmpty(readings);
    }

    [Fact]
    public void A_writer_used_again_writes_each_event_as_a_fresh_one_would()
    {
        // The publisher keeps one writer and buffer for all its events.
        using var writer = new UplinkWriter();
        var time = new DateTime(2026, 11, 29, 3, 0, 0, DateTimeKind.Utc);
        foreach ((int index, uint fCnt) in new[] { (0, 1u), (31, 2u), (46, 3u), (49, 4u), (0, 5u) })
        {
            BenchDevice device = CityDevices.Get(index, DeviceMix.City);
            byte[] written = writer.Write(device, fCnt, time).ToArray();

            Assert.Equal(UplinkFactory.Up(device, fCnt, time), written);
            Assert.True(ChirpStackParser.TryParse(written, NetworkEvent.Up, out Envelope parsed, out string? error), error);
            Assert.Equal(fCnt, parsed.FCnt);
        }
    }

    [Theory]
    [InlineData("1,0,0", 0)]
    [InlineData("0,0,1,0", 2)]
    [InlineData("0,0,0", -1)]
    [InlineData("0,-,1", -1)]
    [InlineData("", -1)]
    public void The_soaks_live_heap_is_compared_from_the_first_full_collection_in_the_run(string perRow, int expected)
    {
        // A live heap read before any full collection in the run is the fill's, not the run's.
        long?[] counts = [.. perRow.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(c => c == "-" ? (long?)null : long.Parse(c, System.Globalization.CultureInfo.InvariantCulture))];

        Assert.Equal(expected, SoakScenario.FirstRowAfterFullCollection(counts));
    }

    [Fact]
    public void A_streetlights_energy_counter_names_its_frame()
    {
        // The latency scenario finds each uplink's publish time from the energy the viewer sees.
        BenchDevice light = CityDevices.Get(1234, DeviceMix.Streetlights);
        (byte[] payload, int port) = UplinkFactory.Payload(light, 42, DateTime.UtcNow);
        var readings = new List<Reading>();
        Assert.True(new MilesightWs558Codec().Decode(payload, port, new CodecContext(TwinKind.Streetlight), readings).Ok);
        double energy = readings.Single(r => r.Property == TwinProperty.EnergyWh).Value.Number;
        Assert.Equal(42, Math.Round((energy - (1234 % 1000)) / 25.0));
    }

    [Fact]
    public void The_sustained_rate_leaves_out_ramp_up_and_drain()
    {
        var series = new RateSeries();
        series.Add(0, 0);
        series.Add(1, 100);      // slow start
        series.Add(2, 1100);     // 1,000/s from here
        series.Add(10, 9100);
        series.Add(11, 9900);
        series.Add(20, 10_000);  // slow tail
        (double rate, double window) = series.Sustained();
        Assert.Equal(1000, rate, 1);
        Assert.Equal(8, window, 1);
    }

    [Fact]
    public void A_run_that_finished_between_two_samples_is_measured_from_the_sample_before_it()
    {
        var series = new RateSeries();
        series.Add(0, 0);
        series.Add(1, 0);
        series.Add(1.5, 2000);   // everything arrived within one sampling interval
        series.Add(2.5, 2000);
        (double rate, double window) = series.Sustained();
        Assert.Equal(4000, rate, 1);
        Assert.Equal(0.5, window, 3);
    }

    [Fact]
    public void Percentiles_take_the_nearest_rank()
    {
        var p = new Percentiles(Enumerable.Range(1, 1000).Select(i => (double)i));
        Assert.Equal(500, p.At(50));
        Assert.Equal(990, p.At(99));
        Assert.Equal(999, p.At(99.9));
        Assert.Equal(1000, p.Max);
    }

    [Fact]
    public void A_lost_uplink_fails_the_run_while_a_missed_target_does_not()
    {
        var report = new BenchReport("ingest", ["ingest"]);
        report.Add("rate", "rate", 10, "/s", "N0", Target.AtLeast(50_000, ">= 50,000"));
        Assert.False(report.Failed);
        Assert.Equal(FigureStatus.Missed, report.Find("rate")!.Status);
        report.Add("lost", "lost", 1, string.Empty, "N0", Target.Exactly(0, "0"));
        Assert.True(report.Failed);
        Assert.Contains("**FAILED**", report.ToMarkdown(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(100, 0, 1u)]
    [InlineData(100, 100, 2u)]
    [InlineData(100, 101, 3u)]
    [InlineData(100, 250, 4u)]
    [InlineData(1, 5, 6u)]
    public void The_timed_run_starts_above_every_frame_counter_the_warm_up_sent(int devices, long warmup, uint expected)
    {
        // The publisher sends uplink k to device k mod N with counter first + k div N.
        uint highest = 0;
        for (long k = 0; k < warmup; k++)
        {
            highest = Math.Max(highest, (uint)(1 + (k / devices)));
        }

        uint first = UplinkRun.FirstFCntAfter(devices, warmup);
        Assert.Equal(expected, first);
        Assert.True(first > highest);
    }

    [Fact]
    public void Options_read_sizes_as_the_readme_writes_them()
    {
        BenchArgs args = BenchArgs.Parse(["ingest", "--uplinks", "2,000,000", "--no-baseline", "--twins=100_000"]);
        Assert.Equal(2_000_000, args.Size("uplinks", 0));
        Assert.True(args.Flag("no-baseline"));
        Assert.Equal(["--devcies"], BenchArgs.Parse(["ingest", "--devcies", "1"]).Given.Select(g => "--" + g));
        Assert.Throws<BenchUsageException>(() => BenchArgs.Parse(["ingest", "--devices", "many"]).Count("devices", 1));
    }

    [Theory]
    [InlineData("00:10:00", 600)]
    [InlineData("0:00:20", 20)]
    [InlineData("600", 600)]
    [InlineData("90s", 90)]
    [InlineData("10m", 600)]
    [InlineData("2.5", 2.5)]
    public void A_duration_reads_as_a_clock_time_or_seconds_or_minutes(string text, double seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), BenchArgs.Parse(["soak", "--duration", text]).Duration("duration", TimeSpan.Zero));
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("00:00:00")]
    public void A_duration_that_is_not_a_length_of_time_is_refused(string text)
    {
        BenchUsageException error = Assert.Throws<BenchUsageException>(() => BenchArgs.Parse(["soak", "--duration", text]).Duration("duration", TimeSpan.Zero));
        Assert.Contains("--duration", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_table_of_rows_goes_above_the_figures_in_markdown_and_into_the_json()
    {
        var report = new BenchReport("soak", ["soak"]);
        report.AddTable(new ReportTable("Per interval:", ["interval", "applied"], [["0:01:00", "60,000"], ["**whole run**", "60,000"]]));
        report.Add("soak.lost", "uplinks lost", 0, string.Empty, "N0", Target.Exactly(0, "0"));

        string markdown = report.ToMarkdown();
        Assert.Contains("| interval | applied |\n|---|---:|\n| 0:01:00 | 60,000 |\n| **whole run** | 60,000 |\n", markdown, StringComparison.Ordinal);
        Assert.True(markdown.IndexOf("| interval |", StringComparison.Ordinal) < markdown.IndexOf("| figure |", StringComparison.Ordinal));
        var rows = report.ToJson()["tables"]![0]!["rows"]!.AsArray();
        Assert.Equal(2, rows.Count);
        Assert.Equal("0:01:00", (string?)rows[0]![0]);
    }
}
