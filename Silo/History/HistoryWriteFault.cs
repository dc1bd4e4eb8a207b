namespace TwinCity.Silo.History;

/// <summary>The history writer cannot commit: since when (UTC) and the last reason PostgreSQL or Npgsql gave.</summary>
public sealed record HistoryWriteFault(DateTime Since, string Reason);
