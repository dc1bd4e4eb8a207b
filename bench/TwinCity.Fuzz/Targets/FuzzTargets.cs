namespace TwinCity.Fuzz.Targets;

/// <summary>Every parser of outside input that the fuzzer covers.</summary>
public static class FuzzTargets
{
    public static IReadOnlyList<IFuzzTarget> All() =>
    [
        new ChirpStackTarget(),
        new TheThingsStackTarget(),
        .. CodecTarget.BuiltIn(),
        DeviceImportTarget.Json(),
        DeviceImportTarget.Csv(),
        new QueryTarget(),
        new RuleTarget(),
        new CommandTarget(),
        new ScopedEnvelopeTarget(),
        new TokenTarget(),
    ];
}
