using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Twins;

/// <summary>
/// The radio metadata of a twin's last uplink, kept inline in its state. A <see cref="RadioInfo"/>
/// object kept instead would be a new object with every uplink that lives until the device's next
/// one: long enough to be copied through the collector's young generations, a million times over.
/// RSSI is kept in a short and SNR in hundredths of a dB (a LoRa radio measures it in quarter
/// steps), so the struct takes 16 bytes rather than 24; their stored form is still an int and a double.
/// </summary>
[GenerateSerializer, Alias("twincity.radio-seen")]
public struct RadioSeen
{
    [NonSerialized]
    private short _rssi;

    [NonSerialized]
    private short _snrCentiDb;

    /// <summary>dBm, within what a short holds (a LoRa gateway hears from about -150 to 0).</summary>
    [Id(0)]
    public int Rssi
    {
        readonly get => _rssi;
        set => _rssi = (short)Math.Clamp(value, short.MinValue, short.MaxValue);
    }

    /// <summary>dB, to a hundredth.</summary>
    [Id(1)]
    public double Snr
    {
        readonly get => _snrCentiDb / 100.0;
        set => _snrCentiDb = double.IsNaN(value) ? (short)0 : (short)Math.Clamp(Math.Round(value * 100), short.MinValue, short.MaxValue);
    }

    [Id(2)] public string? Gateway;
    [Id(3)] public bool Heard;
    [Id(4)] public bool HasRssi;
    [Id(5)] public bool HasSnr;

    /// <summary>The metadata of <paramref name="radio"/>, its gateway id taken from the shared pool (a few gateways hear a whole city).</summary>
    public static RadioSeen From(RadioInfo radio)
    {
        ArgumentNullException.ThrowIfNull(radio);
        return new RadioSeen
        {
            Heard = true,
            HasRssi = radio.Rssi.HasValue,
            Rssi = radio.Rssi.GetValueOrDefault(),
            HasSnr = radio.Snr.HasValue,
            Snr = radio.Snr.GetValueOrDefault(),
            Gateway = SharedStrings.Get(radio.Gateway),
        };
    }

    /// <summary>The metadata as the API shows it; null before any uplink brought some.</summary>
    public readonly RadioInfo? ToInfo() =>
        Heard ? new RadioInfo(HasRssi ? Rssi : null, HasSnr ? Snr : null, Gateway) : null;
}
