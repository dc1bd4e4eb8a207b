namespace TwinCity.Web.Auth;

/// <summary>Who a presented key belongs to.</summary>
/// <param name="Agency">One of <see cref="Agencies.All"/>.</param>
/// <param name="Name">A label for people.</param>
/// <param name="KeyId">A prefix of the key's hash: enough to tell keys apart, useless to guess one.</param>
/// <param name="Applications">For a network server's key: the applications it may speak for (<c>Access:Keys:N:Applications</c>).</param>
public sealed record ApiKeyIdentity(string Agency, string Name, string KeyId, IReadOnlyList<string>? Applications = null);
