namespace TwinCity.Testing;

/// <summary>A certificate issued by <see cref="TestCertificates"/>: its PEM certificate and unencrypted PEM key files.</summary>
public sealed record IssuedCertificate(string Certificate, string Key);
