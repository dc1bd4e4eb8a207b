using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using TwinCity.Gateway.Ingest.Codecs;
using TwinCity.Gateway.Ingest.Envelopes;
using TwinCity.Gateway.Ingest.Pipeline;
using TwinCity.Grains.Interfaces.Devices;
using TwinCity.Grains.Interfaces.Rules;
using TwinCity.Grains.Interfaces.Twins;
using TwinCity.Web.Apis;
using TwinCity.Web.Auth;
using TwinCity.Web.Devices;

namespace TwinCity.Ingest.Tests.Fuzzing;

/// <summary>Inputs the fuzzer found that once threw out of a parser; each is now refused with a reason or read.</summary>
public sealed class FuzzFindingsTests
{
    [Fact]
    public void Envelope_with_bytes_that_are_not_utf8_is_refused_with_the_reason()
    {
        byte[] json = [.. """{"deviceInfo":{"devEui":"0101010101010101","deviceName":"la"""u8, 0xE1, .. """p"}}"""u8];

        Assert.False(ChirpStackParser.TryParse(json, NetworkEvent.Up, out _, out string? chirpStackError));
        Assert.False(TheThingsStackParser.TryParse(json, out _, out string? ttsError));

        Assert.Contains("UTF-8", chirpStackError, StringComparison.Ordinal);
        Assert.Contains("UTF-8", ttsError, StringComparison.Ordinal);
    }

    [Fact]
    public void Lone_escaped_surrogate_in_a_string_is_refused_with_the_reason()
    {
        byte[] tts = Encoding.UTF8.GetBytes("""{"end_device_ids":{"device_id":"lamp-\uD800","dev_eui":"70B3D57ED0010001"},"uplink_message":{"f_port":1}}""".Replace("\uD800", "\\uD800", StringComparison.Ordinal));
        byte[] chirpStack = Encoding.UTF8.GetBytes("""{"deviceInfo":{"devEui":"0101010101010101"},"level":"ERROR","description":"x\uDC00"}""".Replace("\uDC00", "\\uDC00", StringComparison.Ordinal));

        Assert.False(TheThingsStackParser.TryParse(tts, out _, out string? ttsError));
        Assert.False(ChirpStackParser.TryParse(chirpStack, NetworkEvent.Log, out _, out string? chirpStackError));

        Assert.Contains("not valid text", ttsError, StringComparison.Ordinal);
        Assert.Contains("not valid text", chirpStackError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("1e400")]
    [InlineData("18446744073709551616")]
    public void Downlink_id_of_any_number_is_kept_as_written(string id)
    {
        byte[] json = Encoding.UTF8.GetBytes($$"""{"deviceInfo":{"devEui":"0101010101010101"},"downlinkId":{{id}}}""");

        Assert.True(ChirpStackParser.TryParse(json, NetworkEvent.TxAck, out Envelope envelope, out string? error), error);

        Assert.Equal(id, envelope.DownlinkId);
    }

    [Fact]
    public void Import_line_with_a_lone_escaped_surrogate_is_reported_not_thrown()
    {
        var parser = new DeviceRequestParser(CodecRegistry.Default, TimeProvider.System);
        string line = """{"devEui":"70b3d57ed0030001","kind":"water-meters","twinId":"WM-1","name":"meter","lat":"40.4","lon":"49.9","codec":"cayenne-lpp","reportingIntervalSeconds":"3600","mapping":{"analog_input_4":"\uD800"}}""";

        Assert.False(DevicesApi.TryParseLine(parser, line, null, out DeviceRegistration? registration, out string? error));

        Assert.Null(registration);
        Assert.Contains("not valid text", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Decoded_number_beyond_double_is_a_problem_not_an_exception()
    {
        using JsonDocument doc = JsonDocument.Parse("""{"dimLevel":1e400,"on":1e999,"powerW":12}""");
        var readings = new List<Reading>();

        DecodedObjectMapper.MapResult result = DecodedObjectMapper.Map(doc.RootElement, TwinKind.Streetlight, null, readings);

        Assert.Contains("dimLevel", result.Problem, StringComparison.Ordinal);
        Reading power = Assert.Single(readings);
        Assert.Equal(TwinProperty.PowerW, power.Property);
    }

    [Fact]
    public void Rule_with_text_that_is_not_valid_is_refused_with_the_reason()
    {
        byte[] notUtf8 = [.. """{"description":"At nigh"""u8, 0xAE, .. """t","trigger":{"kind":"buses","any":[{"property":"lat","op":"changed"}]},"effects":[{"type":"advisory","text":"x"}]}"""u8];
        byte[] loneSurrogate = """{"trigger":{"kind":"\uD800","any":[{"property":"lat","op":"changed"}]},"effects":[{"type":"advisory","text":"x"}]}"""u8.ToArray();

        foreach (byte[] body in new[] { notUtf8, loneSurrogate })
        {
            using JsonDocument doc = JsonDocument.Parse(body);

            Assert.False(RulesApi.TryReadRule("rule-1", doc.RootElement, out RuleDefinition? rule, out RuleProblem? problem));

            Assert.Null(rule);
            Assert.Contains("not valid text", problem!.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Rule_with_a_property_name_that_is_not_valid_text_is_refused_with_the_reason()
    {
        using JsonDocument doc = JsonDocument.Parse("""{"description":"x","\uDFFF":{"kind":"streetlights"},"effects":[]}""");

        Assert.False(RulesApi.TryReadRule("rule-1", doc.RootElement, out RuleDefinition? rule, out RuleProblem? problem));

        Assert.Null(rule);
        Assert.Contains("not valid text", problem!.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"property":"meanSpeedKmh","op":"<","value":10,"hysteresis":2.51e308}""", "trigger.any[0].hysteresis")]
    [InlineData("""{"property":"meanSpeedKmh","op":">","value":1e400}""", "trigger.any[0].value")]
    [InlineData("""{"property":"meanSpeedKmh","op":">","value":-1.8e308}""", "trigger.any[0].value")]
    public void Rule_number_beyond_a_double_is_refused_naming_the_field(string condition, string field)
    {
        using JsonDocument doc = JsonDocument.Parse($$"""{"trigger":{"kind":"road-sensors","any":[{{condition}}]},"effects":[{"type":"advisory","text":"x"}]}""");

        Assert.False(RulesApi.TryReadRule("rule-1", doc.RootElement, out RuleDefinition? rule, out RuleProblem? problem));

        Assert.Null(rule);
        Assert.Equal(field, problem!.Field);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Token_with_an_empty_subject_is_given_no_access_and_says_why(string subject)
    {
        var agencies = new Dictionary<string, CityAgency>(StringComparer.Ordinal)
        {
            ["roads"] = new("roads", AccessRoles.Agency, new HashSet<TwinKind> { TwinKind.RoadSensor }),
        };
        var access = new AccessSnapshot(agencies, new ApiKeyRing([], agencies, demoKeys: false), []);
        var token = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", subject), new Claim("agency", "ROADS "), new Claim("twincity_role", "READER")], "test"));

        ClaimsPrincipal mapped = TokenClaims.Map(token, new AccessJwtOptions(), access, NullLogger.Instance);

        Assert.Null(mapped.AgencyOf());
        Assert.Null(mapped.RoleOf());
        Assert.Contains("no subject", mapped.FindFirst(AccessClaims.Refused)?.Value, StringComparison.Ordinal);

        // The same token with a subject is the reader of roads it asks to be.
        var named = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "dave"), new Claim("agency", "ROADS "), new Claim("twincity_role", "READER")], "test"));
        ClaimsPrincipal given = TokenClaims.Map(named, new AccessJwtOptions(), access, NullLogger.Instance);
        Assert.Equal("roads", given.AgencyOf());
        Assert.Equal(AccessRoles.Reader, given.RoleOf());
    }
}
