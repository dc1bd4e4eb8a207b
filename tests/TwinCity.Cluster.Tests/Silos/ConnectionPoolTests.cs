using Npgsql;
using TwinCity.Silo.Hosting;

namespace TwinCity.Cluster.Tests.Silos;

/// <summary>
/// A silo bounds its PostgreSQL pools unless the connection string sets a size itself, so that the
/// silos of a cluster stay under the server's connection limit.
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
}
