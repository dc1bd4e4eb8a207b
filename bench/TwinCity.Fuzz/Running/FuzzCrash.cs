namespace TwinCity.Fuzz.Running;

/// <summary>An input that broke a parser's contract, with what is needed to replay it.</summary>
public sealed record FuzzCrash(string Target, int Seed, long Iteration, string InputHex, string Problem);
