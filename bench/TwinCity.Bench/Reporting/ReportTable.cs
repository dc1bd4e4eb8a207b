namespace TwinCity.Bench.Reporting;

/// <summary>A table of rows a scenario takes over time (one per interval), printed above the figures.</summary>
/// <param name="Title">Said in a line above the table.</param>
/// <param name="Columns">The first column reads left-aligned, the others are numbers and read right-aligned.</param>
public sealed record ReportTable(string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows);
