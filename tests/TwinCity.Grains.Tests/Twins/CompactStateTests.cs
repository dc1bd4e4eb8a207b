using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Grains.Twins;
using Xunit;

namespace TwinCity.Grains.Tests.Twins;

/// <summary>The packed parts of a twin's state: what they give back, and that their stored form is the one they replaced.</summary>
public sealed class CompactStateTests
{
    private static readonly DateTime Dusk = new(2026, 11, 28, 16, 54, 12, 345, DateTimeKind.Utc);

    private static readonly Serializer Serializer = new ServiceCollection()
        .AddSerializer(s => s.AddAssembly(typeof(StreetlightState).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    [Fact]
    public void A_flag_takes_one_word()
    {
        Assert.Equal(8, Unsafe.SizeOf<MeasuredFlag>());
        Assert.Equal(16, Unsafe.SizeOf<RadioSeen>());
    }

    [Fact]
    public void A_flag_never_reported_has_no_value()
    {
        var flag = default(MeasuredFlag);

        Assert.False(flag.HasValue);
        Assert.False(flag.Value);
        Assert.Equal(default, flag.At);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_flag_gives_back_its_value_and_the_exact_time(bool value)
    {
        var flag = new MeasuredFlag { Value = value, At = Dusk };

        Assert.True(flag.HasValue);
        Assert.Equal(value, flag.Value);
        Assert.Equal(Dusk.Ticks, flag.At.Ticks);
        Assert.Equal(DateTimeKind.Utc, flag.At.Kind);
    }

    [Fact]
    public void Setting_the_value_keeps_the_time_and_setting_the_time_keeps_the_value()
    {
        var flag = new MeasuredFlag { Value = true, At = Dusk };

        flag.At = DateTime.MaxValue;
        Assert.True(flag.Value);
        Assert.Equal(DateTime.MaxValue.Ticks, flag.At.Ticks);

        flag.Value = false;
        Assert.Equal(DateTime.MaxValue.Ticks, flag.At.Ticks);
        Assert.False(flag.Value);
    }

    [Fact]
    public void A_local_time_is_kept_as_the_same_instant_and_an_unspecified_one_as_it_is()
    {
        DateTime local = Dusk.ToLocalTime();
        var fromLocal = new MeasuredFlag { Value = true, At = local };
        var unspecified = new MeasuredFlag { Value = true, At = DateTime.SpecifyKind(Dusk, DateTimeKind.Unspecified) };

        Assert.Equal(Dusk, fromLocal.At);
        Assert.Equal(DateTimeKind.Utc, fromLocal.At.Kind);
        Assert.Equal(Dusk.Ticks, unspecified.At.Ticks);
        Assert.Equal(DateTimeKind.Unspecified, unspecified.At.Kind);
    }

    [Fact]
    public void A_flag_stored_in_the_former_form_reads_back_and_the_former_form_reads_a_flag()
    {
        byte[] former = Serializer.SerializeToArray(new Measured<bool> { Value = true, At = Dusk });
        MeasuredFlag flag = Serializer.Deserialize<MeasuredFlag>(former);
        Assert.True(flag.Value);
        Assert.Equal(Dusk, flag.At);

        byte[] packed = Serializer.SerializeToArray(new MeasuredFlag { Value = true, At = Dusk });
        Measured<bool> back = Serializer.Deserialize<Measured<bool>>(packed);
        Assert.True(back.Value);
        Assert.Equal(Dusk, back.At);
        Assert.Equal(former, packed);
    }

    [Theory]
    [InlineData(-97, 7.5)]
    [InlineData(-120, -12.25)]
    [InlineData(-35, 9.8)]
    [InlineData(0, 0.0)]
    public void Radio_metadata_gives_back_what_a_gateway_reports(int rssi, double snr)
    {
        RadioSeen radio = RadioSeen.From(new RadioInfo(rssi, snr, "0016C001F153A14C"));

        RadioInfo? info = radio.ToInfo();

        Assert.NotNull(info);
        Assert.Equal(rssi, info.Rssi);
        Assert.Equal(snr, info.Snr);
        Assert.Equal("0016C001F153A14C", info.Gateway);
    }

    [Fact]
    public void Radio_metadata_beyond_what_a_radio_reports_is_clamped_and_rounded_not_wrapped()
    {
        RadioSeen radio = RadioSeen.From(new RadioInfo(-1_000_000, 1e9, null));
        Assert.Equal(short.MinValue, radio.Rssi);
        Assert.Equal(short.MaxValue / 100.0, radio.Snr);

        radio.Snr = 7.123;
        Assert.Equal(7.12, radio.Snr);
        radio.Snr = double.NaN;
        Assert.Equal(0, radio.Snr);
    }

    [Fact]
    public void Radio_metadata_is_stored_as_an_int_and_a_double()
    {
        RadioSeen radio = RadioSeen.From(new RadioInfo(-97, null, "gw-1"));

        RadioSeen back = Serializer.Deserialize<RadioSeen>(Serializer.SerializeToArray(radio));

        Assert.Equal(-97, back.Rssi);
        Assert.False(back.HasSnr);
        Assert.Equal("gw-1", back.Gateway);
        Assert.Equal(radio.ToInfo(), back.ToInfo());
    }

    [Fact]
    public void A_state_with_flags_and_radio_survives_storage()
    {
        var lamp = new StreetlightState
        {
            On = new MeasuredFlag { Value = true, At = Dusk },
            LampFault = new MeasuredFlag { Value = false, At = Dusk.AddSeconds(-60) },
            Radio = RadioSeen.From(new RadioInfo(-101, -3.5, "gw-2")),
        };

        StreetlightState? back = Serializer.Deserialize<StreetlightState>(Serializer.SerializeToArray(lamp));

        Assert.NotNull(back);
        Assert.True(back.On.Value);
        Assert.Equal(Dusk, back.On.At);
        Assert.False(back.LampFault.Value);
        Assert.True(back.LampFault.HasValue);
        Assert.Equal(Dusk.AddSeconds(-60), back.LampFault.At);
        Assert.Equal(new RadioInfo(-101, -3.5, "gw-2"), back.Radio.ToInfo());
    }

    [Fact]
    public void A_snapshot_read_back_takes_its_repeated_texts_from_the_shared_pool()
    {
        // Texts as a storage read makes them: equal to the pooled ones, but copies of their own.
        string suffix = Guid.NewGuid().ToString("N")[..8];
        string app = SharedStrings.Get("app-" + suffix)!;
        string codec = SharedStrings.Get("codec-" + suffix)!;
        string gateway = SharedStrings.Get("gw-" + suffix)!;
        string route = SharedStrings.Get("route-" + suffix)!;
        var bus = new BusState
        {
            ApplicationId = app,
            Codec = codec,
            DeviceId = "bus-" + suffix,
            Radio = RadioSeen.From(new RadioInfo(-90, 5.25, gateway)),
            Route = new Measured<string?> { Value = route, At = Dusk },
        };

        BusState? back = Serializer.Deserialize<BusState>(Serializer.SerializeToArray(bus));
        Assert.NotNull(back);
        Assert.NotSame(app, back.ApplicationId);
        Assert.NotSame(route, back.Route.Value);

        back.ShareTexts();

        Assert.Same(app, back.ApplicationId);
        Assert.Same(codec, back.Codec);
        Assert.Same(gateway, back.Radio.Gateway);
        Assert.Same(route, back.Route.Value);
        Assert.Null(back.NextStop.Value);
        Assert.Equal(Dusk, back.Route.At);
        Assert.Equal("bus-" + suffix, back.DeviceId);
        Assert.Equal(new RadioInfo(-90, 5.25, gateway), back.Radio.ToInfo());
    }
}
