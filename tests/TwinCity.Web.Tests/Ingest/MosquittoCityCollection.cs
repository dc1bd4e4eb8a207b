namespace TwinCity.Web.Tests.Ingest;

[CollectionDefinition(Name)]
public sealed class MosquittoCityCollection : ICollectionFixture<MosquittoCity>
{
    public const string Name = "mosquitto city";
}
