using TwinCity.Grains.Interfaces.Devices;

namespace TwinCity.Grains.Tests.Twins;

public sealed class DevEuiTests
{
    [Theory]
    [InlineData("70B3D57ED0000001")]
    [InlineData("70b3d57ed0000001")]
    [InlineData("70-B3-D5-7E-D0-00-00-01")]
    [InlineData("70:b3:d5:7e:d0:00:00:01")]
    [InlineData(" 70B3D57ED0000001 ")]
    public void Accepts_any_case_and_separators_and_prints_canonically(string text)
    {
        Assert.True(DevEui.TryParse(text, out ulong value));
        Assert.Equal(0x70B3D57ED0000001UL, value);
        Assert.Equal("70B3D57ED0000001", DevEui.Format(value));
    }

    [Theory]
    [InlineData("")]
    [InlineData("70B3D57ED000001")]
    [InlineData("70B3D57ED00000011")]
    [InlineData("70B3D57ED000000G")]
    [InlineData("70B3D57ED0000001;")]
    public void Refuses_anything_but_sixteen_hex_digits(string text)
    {
        Assert.False(DevEui.TryParse(text, out _));
        Assert.Null(DevEui.Normalize(text));
    }
}
