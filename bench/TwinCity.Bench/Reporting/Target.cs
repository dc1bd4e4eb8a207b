using System.Globalization;

namespace TwinCity.Bench.Reporting;

/// <summary>A figure's goal: at least, at most, or exactly a value. An exact target is a correctness check.</summary>
public sealed record Target(string Comparison, double Value, string Text)
{
    public static Target AtLeast(double value, string text) => new(">=", value, text);

    public static Target AtMost(double value, string text) => new("<=", value, text);

    public static Target Exactly(double value, string text) => new("==", value, text);

    public FigureStatus Judge(double actual) => Comparison switch
    {
        ">=" => actual >= Value ? FigureStatus.Met : FigureStatus.Missed,
        "<=" => actual <= Value ? FigureStatus.Met : FigureStatus.Missed,
        _ => actual == Value ? FigureStatus.Met : FigureStatus.Failed,
    };

    public override string ToString() => Text.Length > 0 ? Text : string.Create(CultureInfo.InvariantCulture, $"{Comparison} {Value}");
}
