namespace TwinCity.Grains.Twins;

/// <summary>
/// A reported yes or no with the time it was measured, in one 64-bit word: the time's ticks in the
/// low 62 bits, whether it is UTC in the next, the value in the top one. A <see cref="Measured{T}"/>
/// of a bool pads the bool to 8 bytes and takes 16; a city of lamps, meters and road sensors holds
/// several million of them. A local time is kept as the same instant in UTC.
/// The stored form is that of <see cref="Measured{T}"/>: a bool [Id(0)] and a DateTime [Id(1)].
/// </summary>
[GenerateSerializer, Alias("twincity.measured-flag")]
public struct MeasuredFlag
{
    private const ulong ValueBit = 1UL << 63;
    private const ulong UtcBit = 1UL << 62;
    private const ulong TicksMask = UtcBit - 1;

    [NonSerialized]
    private ulong _bits;

    [Id(0)]
    public bool Value
    {
        readonly get => (_bits & ValueBit) != 0;
        set => _bits = value ? _bits | ValueBit : _bits & ~ValueBit;
    }

    /// <summary>When it was measured; <c>default</c> means never reported.</summary>
    [Id(1)]
    public DateTime At
    {
        readonly get => new((long)(_bits & TicksMask), (_bits & UtcBit) != 0 ? DateTimeKind.Utc : DateTimeKind.Unspecified);
        set
        {
            DateTime at = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value;
            _bits = (_bits & ValueBit) | (at.Kind == DateTimeKind.Utc ? UtcBit : 0) | (ulong)at.Ticks;
        }
    }

    public readonly bool HasValue => (_bits & TicksMask) != 0;
}
