using TwinCity.Bench.Cli;
using TwinCity.Bench.Load;
using TwinCity.Bench.Measure;
using TwinCity.Bench.Rig;
using TwinCity.Bench.Scenarios;

namespace TwinCity.Bench.Tests;

/// <summary>What the failover scenario's figures rest on: its options, the moment the rate is back, the count of what was recorded, the takeover's own log line.</summary>
public sealed class FailoverPartsTests
{
    private const double Rate = 100;
    private const double Fault = 10;
    private const double Takeover = 18.5;

    [Fact]
    public void Without_options_it_runs_both_faults_at_the_issues_sizes()
    {
        FailoverOptions o = FailoverOptions.Parse(BenchArgs.Parse(["failover"]));

        Assert.Equal(new[] { SiloFault.Kill, SiloFault.Stop }, o.Phases);
        Assert.Equal(2000, o.Rate);
        Assert.Equal(10_000, o.Devices);
        Assert.Equal(90, o.Duration);
        Assert.Equal(30, o.FaultAt);
        Assert.Equal(180_000, o.Uplinks);
    }

    [Fact]
    public void One_phase_and_other_sizes_are_taken_as_given()
    {
        FailoverOptions o = FailoverOptions.Parse(BenchArgs.Parse(["failover", "--phases", "stop", "--rate", "200", "--devices", "200", "--duration", "25", "--fault-at", "8"]));

        Assert.Equal(new[] { SiloFault.Stop }, o.Phases);
        Assert.Equal(5000, o.Uplinks);
        Assert.Equal(8, o.FaultAt);
    }

    [Theory]
    [InlineData("--phases", "crash")]
    [InlineData("--phases", "kill,kill")]
    [InlineData("--phases", ",")]
    [InlineData("--fault-at", "90")]
    [InlineData("--fault-at", "0")]
    [InlineData("--rate", "0")]
    [InlineData("--devices", "1")]
    public void Options_that_cannot_make_a_failover_run_are_refused_before_anything_starts(string option, string value)
    {
        Assert.Throws<BenchUsageException>(() => FailoverOptions.Parse(BenchArgs.Parse(["failover", option, value])));
    }

    [Fact]
    public void The_rate_is_back_once_a_second_records_the_offered_rate_and_the_takeover_has_drained_what_it_held()
    {
        FailoverTimeline timeline = FailoverTimeline.Compute(Run(held: Takeover), Fault, Rate);

        // The held third comes at 18.5 s: the first window that ends with nothing older outstanding ends at 18.6 s.
        Assert.Equal(18.6, timeline.BackAt!.Value, 6);
        Assert.Equal(8.6, timeline.BackAfter!.Value, 6);

        // The longest wait is the first held uplink's: published at 9.95 s, within the five seconds before the fault.
        Assert.Equal(9.95, timeline.Slowest!.Value.Published, 6);
        Assert.Equal(Takeover - 9.95, timeline.MaxDelay, 6);
        Assert.Equal(0.005, timeline.SteadyMaxDelay, 6);
        Assert.Equal(0.005, timeline.SteadyP99Delay, 6);

        // During the detection two thirds are recorded each second and the backlog grows by the rest.
        FailoverSecond detecting = timeline.Seconds[12];
        Assert.Equal(100, detecting.Published);
        Assert.InRange(detecting.Recorded, 66, 67);
        Assert.InRange(timeline.Seconds[13].Backlog - detecting.Backlog, 33, 34);
        Assert.Equal(0, timeline.Seconds[19].Backlog);
        Assert.Equal(Takeover - 9.95, timeline.Seconds[18].MaxDelay, 6);
    }

    [Fact]
    public void A_fast_second_in_the_middle_of_the_backlog_is_not_back_at_rate()
    {
        // The survivors record at the full rate from 12 s on, but the held third only comes at 25 s.
        var uplinks = Run(held: 25).Select(u => u.Published is >= 12 and < 25 && u.Recorded > 24 ? (u.Published, u.Published + 0.005) : u).ToList();

        FailoverTimeline timeline = FailoverTimeline.Compute(uplinks, Fault, Rate);

        Assert.True(timeline.BackAt > 25, $"back at {timeline.BackAt}");
    }

    [Fact]
    public void Uplinks_never_recorded_keep_the_rate_from_ever_being_back()
    {
        // The held third is lost: the backlog looks drained, but two thirds of the rate is not the rate.
        FailoverTimeline timeline = FailoverTimeline.Compute([.. Run(held: Takeover).Where(u => u.Recorded < Takeover)], Fault, Rate);

        Assert.Null(timeline.BackAt);
        Assert.Null(timeline.BackAfter);
    }

    [Fact]
    public void Nothing_recorded_gives_an_empty_timeline()
    {
        FailoverTimeline timeline = FailoverTimeline.Compute([], Fault, Rate);

        Assert.Null(timeline.BackAt);
        Assert.True(double.IsNaN(timeline.MaxDelay));
        Assert.Empty(timeline.Seconds);
    }

    [Fact]
    public void Each_published_uplink_is_counted_once_and_rows_of_no_published_uplink_apart()
    {
        var at = new DateTime(2026, 12, 3, 0, 0, 0, DateTimeKind.Utc);
        RecordedUplink Row(int device, uint fCnt) => new(CityDevices.DevEuiBase + (ulong)device, fCnt, at, at);

        // 10 devices from frame 2, 25 published: uplink k is device k mod 10, frame 2 + k div 10.
        (long distinct, long outside) = FailoverScenario.Reconcile(
            [Row(0, 2), Row(0, 2), Row(9, 3), Row(4, 4), Row(5, 4), Row(3, 1), Row(10, 2)],
            devices: 10,
            firstFCnt: 2,
            published: 25);

        // Twice the same uplink is one; device 5's frame 4 is uplink 25 (not published); frame 1 is the
        // warm-up's; device 10 is none of the run's.
        Assert.Equal(3, distinct);
        Assert.Equal(3, outside);
    }

    [Fact]
    public void Messages_a_leftover_session_held_are_matched_to_the_uplinks_already_recorded()
    {
        var at = new DateTime(2026, 12, 3, 0, 0, 0, DateTimeKind.Utc);
        BenchDevice device = CityDevices.Get(3, DeviceMix.City);
        RecordedUplink[] rows = [new(device.DevEui, 5, at.AddSeconds(2), at.AddSeconds(3)), new(device.DevEui, 6, at.AddSeconds(7), at.AddSeconds(8))];
        byte[][] held = [UplinkFactory.Up(device, 6, at), UplinkFactory.Up(device, 5, at), UplinkFactory.Up(device, 9, at), "not json"u8.ToArray()];

        (long recorded, DateTime? first, DateTime? last) = FailoverScenario.AlreadyRecorded(held, rows);

        Assert.Equal(2, recorded);
        Assert.Equal(at.AddSeconds(2), first);
        Assert.Equal(at.AddSeconds(7), last);
        Assert.Equal((0, null, null), FailoverScenario.AlreadyRecorded([], rows));
    }

    [Theory]
    [InlineData(0, 25, 4u)]
    [InlineData(5, 25, 3u)]
    [InlineData(9, 25, 3u)]
    [InlineData(7, 5, 1u)]
    public void Each_twins_last_frame_is_the_last_the_paced_run_sent_its_device(int device, long published, uint expected)
    {
        Assert.Equal(expected, FailoverScenario.LastFCnt(device, devices: 10, firstFCnt: 2, published));
    }

    [Fact]
    public void The_takeovers_log_line_gives_what_it_drained()
    {
        const string Log = """
            07:27:30.472 warn: TwinCity.Gateway.Ingest.Affinity.SessionTakeover[0]
            07:27:30.472       Silo S192.0.2.2:45017:155287561 is dead: taking over its broker session twincity-192.0.2.2-45017-155287561
            07:27:39.736 warn: TwinCity.Gateway.Ingest.Affinity.SessionTakeover[0]
            07:27:39.736       The broker session of dead silo S192.0.2.2:45017:155287561 is taken over and ended: 1147 messages received, 1146 applied
            """;

        Assert.Equal((1147, 1146), FailoverScenario.TakeoverDrained(Log));
        Assert.Null(FailoverScenario.TakeoverDrained("07:27:30.472 warn: nothing of the kind"));
    }

    /// <summary>
    /// 30 s at <see cref="Rate"/>/s, each uplink recorded 5 ms after it was published, except every third
    /// published from 0.05 s before the fault until the takeover (the failed silo's share), recorded at <paramref name="held"/>.
    /// </summary>
    private static List<(double Published, double Recorded)> Run(double held)
    {
        var uplinks = new List<(double, double)>();
        for (int k = 0; k < 3000; k++)
        {
            double p = k / Rate;
            bool stuck = k % 3 == 2 && p >= Fault - 0.055 && p < held;
            uplinks.Add((p, stuck ? held : p + 0.005));
        }

        return uplinks;
    }
}
