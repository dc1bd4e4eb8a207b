using Npgsql;
using TwinCity.Silo.Hosting;

namespace TwinCity.Cluster.Tests.Silos;

/// <summary>
/// A silo bounds its PostgreSQL pools unless the connection string sets a size itself, so that the
/// silos of a cluster stay under the server's connection limit, and has Npgsql prepare the statements
/// it repeats unless the connection string says otherwise.
/// </summary>
public sealed class ConnectionPoolTests
{
    [Fact]
    public void A_connection_string_without_a_pool_size_gets_the_silos_bound_and_keeps_the_rest()
    {
        string bounded = ClusterHosting.WithPoolBound("Host=db.city.az;Port=5433;Username=twincity;Password=s3cret;Database=twins");

        var read = new NpgsqlConnectionStringBuilder(bounded);
        Assert.Equal(ClusterHosting.DefaultMaxPoolSize, read.MaxPoolSize);
        Assert.True(read.MaxPoolSize < new NpgsqlConnectionStringBuilder().MaxPoolSize);
        Assert.Equal("db.city.az", read.Host);
        Assert.Equal(5433, read.Port);
        Assert.Equal("twincity", read.Username);
        Assert.Equal("s3cret", read.Password);
        Assert.Equal("twins", read.Database);
    }

    [Theory]
    [InlineData("Host=db;Username=u;Database=d;Maximum Pool Size=64", 64)]
    [InlineData("Host=db;Username=u;Database=d;MaxPoolSize=7", 7)]
    [InlineData("Host=db;Username=u;Database=d;maximum pool size=100", 100)]
    public void A_pool_size_the_connection_string_sets_is_kept(string connectionString, int size)
    {
        string kept = ClusterHosting.WithPoolBound(connectionString);

        Assert.Equal(connectionString, kept);
        Assert.Equal(size, new NpgsqlConnectionStringBuilder(kept).MaxPoolSize);
    }

    [Fact]
    public void A_connection_string_without_auto_preparation_gets_the_silos_and_keeps_the_rest()
    {
        string prepared = ClusterHosting.WithStatementsPrepared("Host=db.city.az;Username=twincity;Database=twins;Maximum Pool Size=9");

        var read = new NpgsqlConnectionStringBuilder(prepared);
        Assert.Equal(ClusterHosting.DefaultMaxAutoPrepare, read.MaxAutoPrepare);
        Assert.Equal(0, new NpgsqlConnectionStringBuilder().MaxAutoPrepare);
        Assert.Equal("db.city.az", read.Host);
        Assert.Equal(9, read.MaxPoolSize);
    }

    [Theory]
    [InlineData("Host=db;Username=u;Database=d;Max Auto Prepare=0", 0)]
    [InlineData("Host=db;Username=u;Database=d;MaxAutoPrepare=100", 100)]
    public void Auto_preparation_the_connection_string_sets_is_kept(string connectionString, int statements)
    {
        string kept = ClusterHosting.WithStatementsPrepared(connectionString);

        Assert.Equal(connectionString, kept);
        Assert.Equal(statements, new NpgsqlConnectionStringBuilder(kept).MaxAutoPrepare);
    }
}
