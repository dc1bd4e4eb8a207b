namespace TwinCity.Fuzz.Targets;

/// <summary>
/// One parser of outside input under fuzzing. <see cref="Check"/> runs the parser as production
/// runs it and reports its verdict; an exception escaping it is a crash.
/// </summary>
public interface IFuzzTarget
{
    string Name { get; }

    /// <summary>Valid inputs (from the vendors' and the contract's examples) that mutations start from.</summary>
    IReadOnlyList<byte[]> Corpus { get; }

    /// <summary>Tokens the mutator splices in: field names, extreme numbers, deep nesting.</summary>
    IReadOnlyList<byte[]> Dictionary { get; }

    int MaxLength { get; }

    FuzzVerdict Check(ReadOnlySpan<byte> input);
}
