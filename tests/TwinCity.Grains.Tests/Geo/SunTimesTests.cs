using TwinCity.Grains.Interfaces.Geo;

namespace TwinCity.Grains.Tests.Geo;

public sealed class SunTimesTests
{
    private const double BakuLat = 40.4093;
    private const double BakuLon = 49.8671;
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan BakuOffset = TimeSpan.FromHours(4);

    // Expected times from two independent calculations (NOAA's Solar Calculator equations and the
    // Almanac for Computers sunrise algorithm), which agree to a minute; Baku local time is UTC+4.
    [Theory]
    [InlineData(2026, 6, 21, "01:10", "16:14")]
    [InlineData(2026, 12, 21, "04:00", "13:17")]
    [InlineData(2026, 3, 20, "02:45", "14:52")]
    public void Sunrise_and_sunset_in_Baku_match_known_times(int year, int month, int day, string sunrise, string sunset)
    {
        (DateTime rise, DateTime set) = SunTimes.For(new DateOnly(year, month, day), BakuLat, BakuLon);

        Assert.Equal(DateTimeKind.Utc, rise.Kind);
        AssertNear(At(year, month, day, sunrise), rise);
        AssertNear(At(year, month, day, sunset), set);
    }

    [Fact]
    public void Longest_day_in_Baku_lasts_as_the_Shamakhi_observatory_says()
    {
        // Shamakhi Astrophysical Observatory: 15 h 3 min 23 s on the summer solstice in Baku.
        (DateTime rise, DateTime set) = SunTimes.For(new DateOnly(2026, 6, 21), BakuLat, BakuLon);

        Assert.InRange(set - rise, new TimeSpan(15, 1, 23), new TimeSpan(15, 5, 23));
    }

    [Theory]
    [InlineData(6, 21)]
    [InlineData(12, 21)]
    public void It_is_night_at_22_local_and_day_at_noon(int month, int day)
    {
        DateTime tenPm = new DateTime(2026, month, day, 22, 0, 0, DateTimeKind.Utc) - BakuOffset;
        DateTime noon = new DateTime(2026, month, day, 12, 0, 0, DateTimeKind.Utc) - BakuOffset;

        Assert.True(SunTimes.IsNight(tenPm, BakuLat, BakuLon));
        Assert.False(SunTimes.IsNight(noon, BakuLat, BakuLon));
    }

    [Fact]
    public void Night_turns_to_day_at_sunrise_and_back_at_sunset()
    {
        (DateTime rise, DateTime set) = SunTimes.For(new DateOnly(2026, 9, 1), BakuLat, BakuLon);

        Assert.True(SunTimes.IsNight(rise.AddMinutes(-2), BakuLat, BakuLon));
        Assert.False(SunTimes.IsNight(rise.AddMinutes(2), BakuLat, BakuLon));
        Assert.False(SunTimes.IsNight(set.AddMinutes(-2), BakuLat, BakuLon));
        Assert.True(SunTimes.IsNight(set.AddMinutes(2), BakuLat, BakuLon));
    }

    [Fact]
    public void Polar_day_and_night_give_a_whole_day_and_an_empty_one()
    {
        (DateTime summerRise, DateTime summerSet) = SunTimes.For(new DateOnly(2026, 6, 21), 78.22, 15.65);
        (DateTime winterRise, DateTime winterSet) = SunTimes.For(new DateOnly(2026, 12, 21), 78.22, 15.65);

        Assert.Equal(24.0, (summerSet - summerRise).TotalHours, 0.02);
        Assert.Equal(0.0, (winterSet - winterRise).TotalHours, 0.02);
        Assert.False(SunTimes.IsNight(new DateTime(2026, 6, 21, 23, 0, 0, DateTimeKind.Utc), 78.22, 15.65));
        Assert.True(SunTimes.IsNight(new DateTime(2026, 12, 21, 11, 0, 0, DateTimeKind.Utc), 78.22, 15.65));
    }

    [Fact]
    public void A_place_off_the_globe_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SunTimes.For(new DateOnly(2026, 1, 1), 91, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SunTimes.IsNight(DateTime.UtcNow, 0, 181));
    }

    private static DateTime At(int year, int month, int day, string hhmm) =>
        new DateOnly(year, month, day).ToDateTime(TimeOnly.Parse(hhmm, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc);

    private static void AssertNear(DateTime expected, DateTime actual) =>
        Assert.True((actual - expected).Duration() <= Tolerance, $"expected {expected:u} ± {Tolerance.TotalMinutes} min, got {actual:u}");
}
