using TwinCity.Testing;

namespace TwinCity.Cluster.Tests;

/// <summary>Every test that needs PostgreSQL shares one throwaway server and runs in this collection.</summary>
[CollectionDefinition(PostgresFixture.Collection)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>;
