namespace TwinCity.Web.Tests;

[CollectionDefinition(Name)]
public sealed class CityCollection : ICollectionFixture<CityAppFactory>
{
    public const string Name = "city";
}
