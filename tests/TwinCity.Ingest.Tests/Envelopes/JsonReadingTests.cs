using System.Text;
using System.Text.Json;
using TwinCity.Gateway.Ingest.Envelopes;

namespace TwinCity.Ingest.Tests.Envelopes;

public sealed class JsonReadingTests
{
    [Theory]
    [InlineData("\"app-1\"", false, "app-1")]
    [InlineData("\"0016c001f153a14c\"", true, "0016C001F153A14C")]
    [InlineData("\"caf\\u00e9 \\\"north\\\"\"", false, "café \"north\"")]
    [InlineData("\"Ωmega-gw\"", true, "ΩMEGA-GW")]
    [InlineData("\"\"", false, "")]
    public void A_shared_string_reads_as_the_text_it_holds(string json, bool upperCase, string expected)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();

        Assert.Equal(expected, JsonReading.ReadSharedString(ref reader, upperCase));
    }

    [Fact]
    public void The_same_text_read_twice_is_one_string()
    {
        string id = "gw-" + Guid.NewGuid().ToString("N");
        byte[] json = Encoding.UTF8.GetBytes($"[\"{id}\",\"{id}\"]");
        var reader = new Utf8JsonReader(json);
        reader.Read();
        reader.Read();
        string? first = JsonReading.ReadSharedString(ref reader);
        reader.Read();
        string? second = JsonReading.ReadSharedString(ref reader);

        Assert.Equal(id, first);
        Assert.Same(first, second);
    }

    [Fact]
    public void Long_texts_and_non_strings_are_read_as_before()
    {
        string longText = new('a', 200);
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes($"[\"{longText}\",17,null]"));
        reader.Read();
        reader.Read();
        Assert.Equal(longText, JsonReading.ReadSharedString(ref reader));
        reader.Read();
        Assert.Null(JsonReading.ReadSharedString(ref reader));
        reader.Read();
        Assert.Null(JsonReading.ReadSharedString(ref reader));
    }
}
