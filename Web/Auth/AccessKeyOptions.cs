namespace TwinCity.Web.Auth;

/// <summary>One configured key (<c>Access:Keys:N</c>): the key itself is never configured, only its SHA-256.</summary>
public sealed class AccessKeyOptions
{
    /// <summary>One of the agencies of <c>Access:Agencies</c> (by default azerishig, azersu, roads, transport, city, network).</summary>
    public string? Agency { get; set; }

    /// <summary>The hex SHA-256 of the key: <c>printf %s "$KEY" | sha256sum</c>.</summary>
    public string? Sha256 { get; set; }

    /// <summary>A label for people (which system holds the key); optional.</summary>
    public string? Name { get; set; }

    /// <summary>When the key stops working (ISO 8601, UTC); never when unset.</summary>
    public DateTimeOffset? Expires { get; set; }

    /// <summary>Optional: <c>reader</c> narrows the key of a reading agency to reads; unset, the key has its agency's role.</summary>
    public string? Role { get; set; }

    /// <summary>
    /// For a network server's key, required: the ChirpStack application ids or The Things Stack
    /// application ids ("city-lights", or "city-lights@baku" for one tenant) it may post events for;
    /// an event for another application is refused and dead-lettered. <c>["*"]</c> allows every
    /// application, on purpose. Other agencies' keys name none.
    /// </summary>
    public List<string>? Applications { get; set; }
}
