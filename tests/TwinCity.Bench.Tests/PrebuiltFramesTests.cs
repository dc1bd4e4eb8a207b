using TwinCity.Bench.Load;
using TwinCity.Bench.Publishing;

namespace TwinCity.Bench.Tests;

public sealed class PrebuiltFramesTests
{
    private static readonly DateTime Time = new(2026, 11, 29, 5, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(64 << 20)]
    [InlineData(2000)]
    public void Events_come_back_in_order_as_written_on_the_fly_across_chunk_ends(int chunkBytes)
    {
        BenchDevice[] city = CityDevices.Create(7, DeviceMix.City);
        const long Uplinks = 40;

        PrebuiltFrames frames = PrebuiltFrames.Build(city, Uplinks, firstFCnt: 11, Time, chunkBytes);

        Assert.Equal(Uplinks, frames.Count);
        long bytes = 0;
        for (long k = 0; k < Uplinks; k++)
        {
            byte[] expected = UplinkFactory.Up(city[k % city.Length], 11 + (uint)(k / city.Length), Time);
            Assert.Equal(expected, frames.Next().ToArray());
            bytes += expected.Length;
        }

        Assert.Equal(bytes, frames.Bytes);
        Assert.Throws<InvalidOperationException>(() => frames.Next().Length);
    }

    [Fact]
    public void An_event_larger_than_a_chunk_gets_a_chunk_of_its_own()
    {
        BenchDevice[] city = CityDevices.Create(3, DeviceMix.City);

        PrebuiltFrames frames = PrebuiltFrames.Build(city, 3, firstFCnt: 1, Time, chunkBytes: 16);

        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(UplinkFactory.Up(city[k], 1, Time), frames.Next().ToArray());
        }
    }
}
