using System.Text;

namespace TwinCity.Fuzz.Targets;

/// <summary>Tokens that break JSON parsers in the field: extreme numbers, bad escapes, deep nesting, wrong types.</summary>
public static class JsonTokens
{
    public static IReadOnlyList<byte[]> Common { get; } = Of(
        "null", "true", "false", "\"\"", "{}", "[]", "0", "-0", "-1", "1e309", "-1e309", "1e-400", "NaN", "Infinity",
        "4294967296", "-2147483649", "18446744073709551616", "-9223372036854775809", "0.000000000000000000001",
        "\"\\uD800\"", "\"\\u0000\"", "\"\\x41\"", "\"\\", "\"\u00e9\u4e2d\"", "\"" + new string('A', 300) + "\"",
        new string('[', 80), new string(']', 80), new string('{', 40) + "\"a\":" , "{\"a\":" + new string('[', 70) + "1" + new string(']', 70) + "}",
        "\"0101010101010101\"", "\"01-01-01-01-01-01-01-0\"", "\"zz\"", "\"AQID\"", "\"====\"", "\"2026-13-45T25:61:61Z\"", "\"2026-11-25T18:02:10Z\"",
        ",", ":", "\"", "\\", "/*", "//", "\r\n", "\t");

    public static IReadOnlyList<byte[]> With(params string[] extra) => [.. Common, .. Of(extra)];

    public static IReadOnlyList<byte[]> Of(params string[] texts) => [.. texts.Select(Encoding.UTF8.GetBytes)];
}
