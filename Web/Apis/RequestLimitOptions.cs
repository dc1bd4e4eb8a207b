namespace TwinCity.Web.Apis;

/// <summary>
/// Section "RequestLimits": the largest request body each kind of endpoint takes, in bytes. A larger
/// body is answered 413 with a problem, before it is read.
/// </summary>
public sealed class RequestLimitOptions
{
    public const string Section = "RequestLimits";

    /// <summary>Any endpoint under <c>/api/v1</c> that names no limit of its own (ingest, for example).</summary>
    public long DefaultBytes { get; set; } = 1024 * 1024;

    /// <summary><c>POST /twins/{kind}/{id}/commands</c>: a command's name and a few arguments.</summary>
    public long CommandBytes { get; set; } = 16 * 1024;

    /// <summary><c>PUT /rules/{id}</c>.</summary>
    public long RuleBytes { get; set; } = 64 * 1024;

    /// <summary><c>POST /devices</c>: one registration.</summary>
    public long DeviceBytes { get; set; } = 16 * 1024;

    /// <summary><c>POST /devices/import</c>: many registrations at once.</summary>
    public long ImportBytes { get; set; } = 16 * 1024 * 1024;
}
