using System.Text;
using TwinCity.Gateway.Ingest.Envelopes;
using TwinCity.Gateway.Ingest.Pipeline;

namespace TwinCity.Ingest.Tests.Envelopes;

public sealed class DeduplicationKeyTests
{
    private const string Uuid = "3ac7e3c4-4401-4b8d-9386-a5c902f9202d";

    [Fact]
    public void A_uuid_is_held_as_one_whatever_its_case_and_given_back_in_lower_case()
    {
        DeduplicationKey lower = DeduplicationKey.Of(Uuid);
        DeduplicationKey upper = DeduplicationKey.Of(Uuid.ToUpperInvariant());

        Assert.True(lower.IsUuid);
        Assert.Equal(lower, upper);
        Assert.Equal(lower.GetHashCode(), upper.GetHashCode());
        Assert.Equal(Uuid, upper.ToString());
    }

    [Fact]
    public void The_utf8_and_the_string_form_of_an_id_give_the_same_key()
    {
        Assert.Equal(DeduplicationKey.Of(Uuid), DeduplicationKey.Of(Encoding.UTF8.GetBytes(Uuid)));
        Assert.Equal(DeduplicationKey.Of("frame-17"), DeduplicationKey.Of("frame-17"u8));
        Assert.Equal(DeduplicationKey.Of("gatewäy-ü"), DeduplicationKey.Of(Encoding.UTF8.GetBytes("gatewäy-ü")));
    }

    [Theory]
    [InlineData("frame-17")]
    [InlineData("{3ac7e3c4-4401-4b8d-9386-a5c902f9202d}")]
    [InlineData("3ac7e3c444014b8d9386a5c902f9202d")]
    [InlineData("3ac7e3c4-4401-4b8d-9386-a5c902f9202g")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    [InlineData("")]
    public void Any_other_id_is_kept_as_its_exact_text(string id)
    {
        DeduplicationKey key = DeduplicationKey.Of(id);

        Assert.False(key.IsUuid);
        Assert.True(key.HasValue);
        Assert.Equal(id, key.ToString());
        Assert.Equal(key, DeduplicationKey.Of(Encoding.UTF8.GetBytes(id)));
    }

    [Fact]
    public void Text_ids_differ_by_case_and_a_text_never_equals_a_uuid()
    {
        Assert.NotEqual(DeduplicationKey.Of("Frame-17"), DeduplicationKey.Of("frame-17"));
        Assert.NotEqual(DeduplicationKey.Of(Uuid), DeduplicationKey.Of(Uuid.Replace("-", string.Empty, StringComparison.Ordinal)));
        Assert.False(default(DeduplicationKey).HasValue);
        Assert.Null(default(DeduplicationKey).ToString());
    }

    [Fact]
    public void The_parser_reads_an_escaped_id_as_the_same_key()
    {
        string plain = $$"""{"deduplicationId":"{{Uuid}}","deviceInfo":{"devEui":"0016c001f153a14c"},"fCnt":1,"fPort":1,"data":"AQ=="}""";
        string escaped = plain.Replace("3ac7", "\\u0033ac7", StringComparison.Ordinal);

        Assert.True(ChirpStackParser.TryParse(Encoding.UTF8.GetBytes(plain), NetworkEvent.Up, out Envelope a, out string? errorA), errorA);
        Assert.True(ChirpStackParser.TryParse(Encoding.UTF8.GetBytes(escaped), NetworkEvent.Up, out Envelope b, out string? errorB), errorB);

        Assert.True(a.Deduplication.IsUuid);
        Assert.Equal(a.Deduplication, b.Deduplication);
        Assert.Equal(Uuid, b.DeduplicationId);
    }

    [Fact]
    public void The_window_of_recent_uplinks_knows_a_uuid_in_either_case()
    {
        var recent = new RecentIds(10);
        recent.Add(DeduplicationKey.Of(Uuid));

        Assert.True(recent.Contains(Uuid.ToUpperInvariant()));
        Assert.False(recent.Contains("frame-17"));
    }
}
