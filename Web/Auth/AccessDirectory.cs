using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Web.Auth;

/// <summary>
/// The agencies, keys and token signing keys in force, read again whenever the configuration changes
/// (an edited <c>Access:File</c>, appsettings.json): a key removed or past its expiry is refused at its
/// next request, and <see cref="Changed"/> tells the hub to check its open connections. A changed
/// configuration that does not validate is refused as a whole, with the keys it names in the log, and
/// the last good one stays in force: a typo must not lock the city out, nor let anyone in.
/// </summary>
public sealed class AccessDirectory : IDisposable
{
    /// <summary>The options instance read again on every change; the default instance is the one validated at start-up.</summary>
    public const string LiveOptions = "live";

    private readonly bool _demoKeys;
    private readonly ILogger<AccessDirectory> _log;
    private readonly IDisposable? _subscription;
    private readonly Lock _sync = new();
    private volatile AccessSnapshot _current;
    private string? _keysFile;
    private DateTime _keysFileWritten;

    public AccessDirectory(IOptions<AccessOptions> startup, IOptionsMonitor<AccessOptions> monitor, ILogger<AccessDirectory> log)
    {
        ArgumentNullException.ThrowIfNull(startup);
        ArgumentNullException.ThrowIfNull(monitor);
        _log = log;
        _demoKeys = startup.Value.DemoKeysAllowed;
        _current = Build(startup.Value);
        _subscription = monitor.OnChange((options, name) =>
        {
            if (name == LiveOptions)
            {
                Reload(options);
            }
        });
    }

    /// <summary>Raised after a new configuration took effect.</summary>
    public event Action? Changed;

    public AccessSnapshot Current
    {
        get
        {
            RefreshKeysFile();
            return _current;
        }
    }

    public void Reload(AccessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ValidateOptionsResult result = AccessOptionsValidator.Check(options);
        if (result.Failed)
        {
            _log.ReloadRefused(result.FailureMessage);
            return;
        }

        AccessSnapshot next;
        try
        {
            next = Build(options);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            _log.ReloadRefused(ex.Message);
            return;
        }

        _current = next;
        _log.AccessReloaded(next.Keys.ConfiguredCount, next.Agencies.Count, next.SigningKeys.Count);
        Changed?.Invoke();
    }

    public void Dispose() => _subscription?.Dispose();

    /// <summary>The agencies <paramref name="options"/> name (Baku's when it names none), by lower-case name.</summary>
    public static IReadOnlyDictionary<string, CityAgency> AgenciesOf(AccessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var agencies = new Dictionary<string, CityAgency>(StringComparer.Ordinal);
        foreach ((string rawName, AgencyOptions agency) in options.EffectiveAgencies)
        {
            var kinds = new HashSet<TwinKind>();
            foreach (string kind in agency.Kinds)
            {
                if (TwinKinds.TryParse(kind, out TwinKind k))
                {
                    kinds.Add(k);
                }
            }

            string name = rawName.Trim().ToLowerInvariant();
            string role = string.IsNullOrWhiteSpace(agency.Role) ? AccessRoles.Agency : agency.Role.Trim().ToLowerInvariant();
            agencies[name] = new CityAgency(name, role, kinds);
        }

        return agencies;
    }

    private AccessSnapshot Build(AccessOptions options)
    {
        IReadOnlyDictionary<string, CityAgency> agencies = AgenciesOf(options);
        lock (_sync)
        {
            _keysFile = string.IsNullOrWhiteSpace(options.Jwt.SigningKeysFile) ? null : options.Jwt.SigningKeysFile;
            _keysFileWritten = _keysFile is null ? default : File.GetLastWriteTimeUtc(_keysFile);
        }

        return new AccessSnapshot(agencies, new ApiKeyRing(options.Keys, agencies, _demoKeys), SigningKeysOf(options.Jwt));
    }

    /// <summary>A key set file rotated by the identity provider's tooling is read again, without waiting for a configuration change.</summary>
    private void RefreshKeysFile()
    {
        string? file = _keysFile;
        if (file is null)
        {
            return;
        }

        DateTime written = File.GetLastWriteTimeUtc(file);
        if (written == _keysFileWritten)
        {
            return;
        }

        lock (_sync)
        {
            if (written == _keysFileWritten || file != _keysFile)
            {
                return;
            }

            _keysFileWritten = written;
            try
            {
                IReadOnlyList<SecurityKey> keys = ReadKeySet(File.ReadAllText(file));
                _current = _current with { SigningKeys = keys };
                _log.AccessReloaded(_current.Keys.ConfiguredCount, _current.Agencies.Count, keys.Count);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
            {
                _log.ReloadRefused($"{AccessOptions.Section}:Jwt:SigningKeysFile: {ex.Message}");
            }
        }
    }

    private static IReadOnlyList<SecurityKey> SigningKeysOf(AccessJwtOptions jwt)
    {
        var keys = new List<SecurityKey>();
        if (!string.IsNullOrWhiteSpace(jwt.SigningKeys))
        {
            keys.AddRange(ReadKeySet(jwt.SigningKeys));
        }

        if (!string.IsNullOrWhiteSpace(jwt.SigningKeysFile))
        {
            keys.AddRange(ReadKeySet(File.ReadAllText(jwt.SigningKeysFile)));
        }

        return keys;
    }

    /// <summary>The signing keys of a JSON Web Key Set; throws <see cref="ArgumentException"/> when the text is not one.</summary>
    public static IReadOnlyList<SecurityKey> ReadKeySet(string json)
    {
        try
        {
            return [.. new JsonWebKeySet(json).GetSigningKeys()];
        }
        catch (Exception ex) when (ex is not ArgumentException)
        {
            throw new ArgumentException("not a JSON Web Key Set: " + ex.Message, nameof(json), ex);
        }
    }
}
