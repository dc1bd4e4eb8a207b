namespace TwinCity.Fuzz.Targets;

/// <summary>What a parser made of one input: accepted, or refused with the reason it gave.</summary>
public readonly record struct FuzzVerdict(bool Accepted, string? Reason)
{
    public static FuzzVerdict Accept => new(true, null);

    public static FuzzVerdict Refuse(string? reason) => new(false, reason);
}
