namespace TwinCity.Silo.Simulation;

/// <summary>One uplink as a device sends it: application payload, port and frame counter.</summary>
internal readonly record struct DeviceFrame(byte[] Payload, int FPort, uint FCnt);
