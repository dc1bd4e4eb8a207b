namespace TwinCity.Web.Auth;

/// <summary>The agencies a key can belong to (API.md, "Agencies and keys").</summary>
public static class Agencies
{
    public const string Azerishig = "azerishig";
    public const string Azersu = "azersu";
    public const string Roads = "roads";
    public const string Transport = "transport";
    public const string City = "city";

    /// <summary>Network servers (ChirpStack, The Things Stack): they may only post to <c>/api/v1/ingest</c>.</summary>
    public const string Network = "network";

    public static readonly IReadOnlyList<string> All = [Azerishig, Azersu, Roads, Transport, City, Network];

    /// <summary>Every agency that may read twins: all but the network servers.</summary>
    public static readonly IReadOnlyList<string> Readers = [Azerishig, Azersu, Roads, Transport, City];

    public static bool IsKnown(string? name) => name is not null && All.Contains(name, StringComparer.Ordinal);
}
