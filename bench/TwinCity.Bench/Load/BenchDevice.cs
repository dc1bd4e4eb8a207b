using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Bench.Load;

/// <summary>One synthetic device of the bench city and the twin it is bound to.</summary>
public sealed record BenchDevice(int Index, ulong DevEui, TwinKind Kind, string TwinId, GeoPoint Position, string Codec, int ReportingIntervalSeconds)
{
    /// <summary>The DevEUI as ChirpStack writes it in topics and envelopes: lower-case hex.</summary>
    public string DevEuiText { get; } = DevEui.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
}
