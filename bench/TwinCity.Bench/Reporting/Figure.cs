namespace TwinCity.Bench.Reporting;

/// <summary>One line of the result table: a measured value, how it reads, and how it stands against its target.</summary>
public sealed record Figure(string Key, string Name, double Value, string Unit, string Display, Target? Target, FigureStatus Status, string? Note = null);
