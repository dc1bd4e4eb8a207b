namespace TwinCity.Web.Auth;

/// <summary>Who a presented key belongs to.</summary>
/// <param name="Agency">One of the city's agencies.</param>
/// <param name="Role">The key's role: its agency's, or <see cref="AccessRoles.Reader"/> where the key is narrowed to reads.</param>
/// <param name="Name">A label for people.</param>
/// <param name="KeyId">A prefix of the key's hash: enough to tell keys apart, useless to guess one.</param>
/// <param name="Expires">When the key stops working; null for never.</param>
/// <param name="Applications">For a network server's key: the applications it may speak for (<c>Access:Keys:N:Applications</c>).</param>
public sealed record ApiKeyIdentity(string Agency, string Role, string Name, string KeyId, DateTimeOffset? Expires = null, IReadOnlyList<string>? Applications = null);
