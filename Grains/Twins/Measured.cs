namespace TwinCity.Grains.Twins;

/// <summary>A reported value with the time it was measured; <c>At == default</c> means never reported.</summary>
[GenerateSerializer, Alias("twincity.measured`1")]
public struct Measured<T>
{
    [Id(0)] public T Value;
    [Id(1)] public DateTime At;

    public readonly bool HasValue => At != default;
}
