namespace TwinCity.Bench.Rig;

/// <summary>How to start one silo process for a bench run.</summary>
/// <param name="MqttHost">The external broker's host, or null for the silo's embedded broker.</param>
/// <param name="MqttPort">The broker's port (the embedded broker listens there).</param>
/// <param name="Subscribe">False for the baseline: the embedded broker runs, ingest does not subscribe.</param>
/// <param name="ConnectionString">Set for cluster mode (PostgreSQL).</param>
/// <param name="Name">Names the log file and the MQTT client id.</param>
/// <param name="Settings">Further configuration for this silo (environment variable names, <c>Section__Key</c>), set after the bench's own.</param>
public sealed record SiloSettings(string? MqttHost, int MqttPort, bool Subscribe = true, string? ConnectionString = null, string Name = "silo", IReadOnlyDictionary<string, string>? Settings = null);
