namespace TwinCity.Web.Auth;

/// <summary>
/// Configuration section <c>Access:FailedSignIn</c>: how many refused keys or tokens one client address
/// may present in a window before every credential it presents is answered 429 until the window ends.
/// </summary>
public sealed class AccessFailureLimitOptions
{
    public int Limit { get; set; } = 20;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}
