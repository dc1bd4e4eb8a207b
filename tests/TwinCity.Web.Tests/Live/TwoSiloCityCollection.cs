namespace TwinCity.Web.Tests.Live;

[CollectionDefinition(Name)]
public sealed class TwoSiloCityCollection : ICollectionFixture<TwoSiloCity>
{
    public const string Name = "two silos";
}
