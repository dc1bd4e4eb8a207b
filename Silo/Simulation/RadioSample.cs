namespace TwinCity.Silo.Simulation;

/// <summary>How the strongest gateway heard one uplink.</summary>
internal readonly record struct RadioSample(string GatewayId, int Rssi, double Snr, int SpreadingFactor, long FrequencyHz);
