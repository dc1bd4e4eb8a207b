using TwinCity.Grains.Storage;
using Xunit;

namespace TwinCity.Grains.Tests.Storage;

public sealed class StorageETagsTests
{
    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(StorageETags.Shared - 1L)]
    public void The_first_versions_share_one_text_each(long version)
    {
        string first = StorageETags.Of(version);

        Assert.Equal(version.ToString(System.Globalization.CultureInfo.InvariantCulture), first);
        Assert.Same(first, StorageETags.Of(version));
    }

    [Theory]
    [InlineData(StorageETags.Shared)]
    [InlineData(123_456_789L)]
    [InlineData(-1L)]
    public void Later_versions_are_their_decimal_text(long version) =>
        Assert.Equal(version.ToString(System.Globalization.CultureInfo.InvariantCulture), StorageETags.Of(version));
}
