using System.Globalization;

namespace TwinCity.Bench.Measure;

/// <summary>
/// Progress on standard error while a scenario runs: one line rewritten in place on a terminal,
/// a line every few seconds when the output goes to a file or a test.
/// </summary>
public static class Progress
{
    private static readonly Lock Gate = new();
    private static DateTime _lastLine;
    private static bool _open;

    public static void Step(string text)
    {
        lock (Gate)
        {
            if (!Console.IsErrorRedirected)
            {
                Console.Error.Write("\r" + text.PadRight(Math.Min(Console.WindowWidth > 0 ? Console.WindowWidth - 1 : 100, 140)));
                _open = true;
            }
            else if (DateTime.UtcNow - _lastLine >= TimeSpan.FromSeconds(5))
            {
                Console.Error.WriteLine(text);
                _lastLine = DateTime.UtcNow;
            }
        }
    }

    /// <summary>A line that stays (a phase begins or ends).</summary>
    public static void Say(string text)
    {
        lock (Gate)
        {
            if (_open)
            {
                Console.Error.WriteLine();
                _open = false;
            }

            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{DateTime.UtcNow:HH:mm:ss}] {text}"));
            _lastLine = default;
        }
    }
}
