using System.Buffers.Binary;

namespace TwinCity.Gateway.Ingest.Codecs;

/// <summary>
/// Builds Cayenne LPP frames, for the city simulator and for tests. Values are checked against what
/// the type can carry and rounded to its resolution; a value that does not fit throws.
/// </summary>
public sealed class CayenneLppWriter
{
    private readonly List<byte> _bytes = [];

    public int Length => _bytes.Count;

    public CayenneLppWriter AddDigitalInput(byte channel, byte value) => Add(channel, 0, value);

    public CayenneLppWriter AddDigitalOutput(byte channel, byte value) => Add(channel, 1, value);

    /// <summary>0.01 resolution, -327.68 to 327.67.</summary>
    public CayenneLppWriter AddAnalogInput(byte channel, double value) => AddInt16(channel, 2, value, 100);

    /// <summary>0.01 resolution, -327.68 to 327.67.</summary>
    public CayenneLppWriter AddAnalogOutput(byte channel, double value) => AddInt16(channel, 3, value, 100);

    public CayenneLppWriter AddIlluminance(byte channel, ushort lux) => AddUInt16(channel, 101, lux, 1);

    public CayenneLppWriter AddPresence(byte channel, byte value) => Add(channel, 102, value);

    /// <summary>0.1 °C resolution.</summary>
    public CayenneLppWriter AddTemperature(byte channel, double celsius) => AddInt16(channel, 103, celsius, 10);

    /// <summary>0.5 % resolution, 0 to 127.5.</summary>
    public CayenneLppWriter AddHumidity(byte channel, double percent)
    {
        var halves = Scaled(percent, 2, 0, byte.MaxValue);
        return Add(channel, 104, (byte)halves);
    }

    /// <summary>0.1 hPa resolution.</summary>
    public CayenneLppWriter AddBarometer(byte channel, double hectopascal) => AddUInt16(channel, 115, hectopascal, 10);

    /// <summary>0.01 V resolution.</summary>
    public CayenneLppWriter AddVoltage(byte channel, double volts) => AddUInt16(channel, 116, volts, 100);

    public CayenneLppWriter AddPercentage(byte channel, byte percent) => Add(channel, 120, percent);

    public CayenneLppWriter AddPower(byte channel, ushort watts) => AddUInt16(channel, 128, watts, 1);

    /// <summary>Energy in Wh (LPP's unit is 0.001 kWh, which is the same step).</summary>
    public CayenneLppWriter AddEnergy(byte channel, uint wattHours)
    {
        Span<byte> value = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(value, wattHours);
        return Add(channel, 131, value);
    }

    public CayenneLppWriter AddSwitch(byte channel, bool on) => Add(channel, 142, on ? (byte)1 : (byte)0);

    /// <summary>Latitude and longitude at 0.0001°, altitude at 0.01 m.</summary>
    public CayenneLppWriter AddGps(byte channel, double lat, double lon, double altitudeM)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lat, -90.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lat, 90.0);
        ArgumentOutOfRangeException.ThrowIfLessThan(lon, -180.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lon, 180.0);
        const double Int24Max = 0x7FFFFF;
        Span<byte> value = stackalloc byte[9];
        WriteInt24((int)Scaled(lat, 10_000, -Int24Max - 1, Int24Max), value);
        WriteInt24((int)Scaled(lon, 10_000, -Int24Max - 1, Int24Max), value[3..]);
        WriteInt24((int)Scaled(altitudeM, 100, -Int24Max - 1, Int24Max), value[6..]);
        return Add(channel, 136, value);
    }

    public byte[] ToArray() => [.. _bytes];

    private CayenneLppWriter AddInt16(byte channel, byte type, double value, double multiplier)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteInt16BigEndian(bytes, (short)Scaled(value, multiplier, short.MinValue, short.MaxValue));
        return Add(channel, type, bytes);
    }

    private CayenneLppWriter AddUInt16(byte channel, byte type, double value, double multiplier)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)Scaled(value, multiplier, 0, ushort.MaxValue));
        return Add(channel, type, bytes);
    }

    private CayenneLppWriter Add(byte channel, byte type, byte value) => Add(channel, type, [value]);

    private CayenneLppWriter Add(byte channel, byte type, ReadOnlySpan<byte> value)
    {
        _bytes.Add(channel);
        _bytes.Add(type);
        _bytes.AddRange(value);
        return this;
    }

    private static double Scaled(double value, double multiplier, double min, double max)
    {
        var scaled = Math.Round(value * multiplier);
        if (double.IsNaN(scaled) || scaled < min || scaled > max)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"Does not fit the LPP field ({min / multiplier} to {max / multiplier}).");
        }

        return scaled;
    }

    private static void WriteInt24(int value, Span<byte> destination)
    {
        destination[0] = (byte)(value >> 16);
        destination[1] = (byte)(value >> 8);
        destination[2] = (byte)value;
    }
}
