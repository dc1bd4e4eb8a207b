namespace TwinCity.Web.Auth;

/// <summary>
/// The names of Baku's agencies and the default <c>Access:Agencies</c>: when the configuration names no
/// agency at all, the city has these (API.md, "Agencies and keys"). A configuration that names any
/// agency replaces the whole list, so that an operator can drop one.
/// </summary>
public static class Agencies
{
    public const string Azerishig = "azerishig";
    public const string Azersu = "azersu";
    public const string Roads = "roads";
    public const string Transport = "transport";
    public const string City = "city";

    /// <summary>Network servers (ChirpStack, The Things Stack): they may only post to <c>/api/v1/ingest</c>.</summary>
    public const string Network = "network";

    /// <summary>Baku's agencies, their roles and the kinds each commands.</summary>
    public static IReadOnlyDictionary<string, AgencyOptions> Defaults() => new Dictionary<string, AgencyOptions>(StringComparer.Ordinal)
    {
        [Azerishig] = new() { Role = AccessRoles.Agency, Kinds = ["streetlights"] },
        [Azersu] = new() { Role = AccessRoles.Agency, Kinds = ["water-meters"] },
        [Roads] = new() { Role = AccessRoles.Agency, Kinds = ["road-sensors"] },
        [Transport] = new() { Role = AccessRoles.Agency, Kinds = ["buses"] },
        [City] = new() { Role = AccessRoles.Operator },
        [Network] = new() { Role = AccessRoles.Network },
    };

    /// <summary>An agency's name: lower-case letters, digits and '-', 1 to 32 of them.</summary>
    public static bool IsValidName(string? name) =>
        name is { Length: >= 1 and <= 32 } && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
