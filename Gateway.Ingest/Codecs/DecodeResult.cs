namespace TwinCity.Gateway.Ingest.Codecs;

/// <summary>The outcome of decoding one payload; <see cref="Error"/> says why it failed.</summary>
public readonly record struct DecodeResult(bool Ok, string? Error)
{
    public static DecodeResult Success => new(true, null);

    public static DecodeResult Fail(string reason) => new(false, reason);
}
