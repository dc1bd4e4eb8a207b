using Microsoft.IdentityModel.Tokens;

namespace TwinCity.Web.Auth;

/// <summary>What the city accepts at one moment: its agencies, its keys and the keys tokens are signed with.</summary>
public sealed record AccessSnapshot(
    IReadOnlyDictionary<string, CityAgency> Agencies,
    ApiKeyRing Keys,
    IReadOnlyList<SecurityKey> SigningKeys)
{
    public CityAgency? Agency(string? name) => name is not null && Agencies.TryGetValue(name, out CityAgency? agency) ? agency : null;
}
