using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;

namespace TwinCity.Web.Auth;

/// <summary>
/// Counts refused keys and tokens per client address in fixed windows. An address past
/// <see cref="AccessFailureLimitOptions.Limit"/> in its window has every credential it presents answered
/// 429 until the window ends, before any key is compared: guessing keys costs a window per few guesses.
/// </summary>
public sealed class FailedSignInLimiter(IOptions<AccessOptions> options, TimeProvider time)
{
    private const int PruneAbove = 10_000;

    private readonly AccessFailureLimitOptions _options = options.Value.FailedSignIn;
    private readonly ConcurrentDictionary<IPAddress, Window> _windows = new();
    private long _prunedAt;

    /// <summary>Records one refused credential from <paramref name="address"/>; true when this one crossed the limit.</summary>
    public bool RecordFailure(IPAddress? address)
    {
        if (address is null)
        {
            return false;
        }

        DateTimeOffset now = time.GetUtcNow();
        // Many addresses at once: drop the windows that ended, at most once a second.
        long seconds = now.ToUnixTimeSeconds();
        if (_windows.Count > PruneAbove && Interlocked.Exchange(ref _prunedAt, seconds) != seconds)
        {
            Prune(now);
        }

        Window window = _windows.AddOrUpdate(
            Normal(address),
            _ => new Window(now, 1),
            (_, w) => now - w.Start >= _options.Window ? new Window(now, 1) : w with { Failures = w.Failures + 1 });
        return window.Failures == _options.Limit;
    }

    /// <summary>Whether <paramref name="address"/> is held back now, and for how long.</summary>
    public bool IsBlocked(IPAddress? address, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (address is null || !_windows.TryGetValue(Normal(address), out Window? window))
        {
            return false;
        }

        TimeSpan left = window.Start + _options.Window - time.GetUtcNow();
        if (window.Failures < _options.Limit || left <= TimeSpan.Zero)
        {
            return false;
        }

        retryAfter = left;
        return true;
    }

    private void Prune(DateTimeOffset now)
    {
        foreach ((IPAddress address, Window window) in _windows)
        {
            if (now - window.Start >= _options.Window)
            {
                _windows.TryRemove(address, out _);
            }
        }
    }

    private static IPAddress Normal(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private sealed record Window(DateTimeOffset Start, int Failures);
}
