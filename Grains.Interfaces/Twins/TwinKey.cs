namespace TwinCity.Grains.Interfaces.Twins;

/// <summary>A twin's identity: its kind and its id.</summary>
[GenerateSerializer, Immutable, Alias("twincity.twin-key")]
public readonly record struct TwinKey([property: Id(0)] TwinKind Kind, [property: Id(1)] string Id)
{
    public override string ToString() => $"{Kind.ToUrlName()}/{Id}";
}
