using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Gateway.Ingest.Codecs;

/// <summary>A codec whose device format defines downlinks: encodes a command into frame bytes.</summary>
public interface IDownlinkEncoder
{
    /// <summary>
    /// Encodes the command <paramref name="commandName"/> with the values it sets. Returns false when
    /// the device format has no downlink for it (the caller then sends the network server's decoded object).
    /// </summary>
    bool TryEncode(string commandName, IReadOnlyList<Reading> sets, out byte[] payload, out int fPort);
}
