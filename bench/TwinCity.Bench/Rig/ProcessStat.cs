using System.Globalization;

namespace TwinCity.Bench.Rig;

/// <summary>
/// The fields of <c>/proc/{pid}/stat</c> the bench adds CPU from: the parent, and the process's own
/// and its reaped children's user and system time, in clock ticks.
/// </summary>
public readonly record struct ProcessStat(int ProcessId, int ParentId, long UserTicks, long SystemTicks, long ReapedChildrenUserTicks, long ReapedChildrenSystemTicks)
{
    /// <summary>USER_HZ, which is 100 on every Linux the SDK runs on.</summary>
    public const double TicksPerSecond = 100.0;

    /// <summary>The process's own user + system time.</summary>
    public double OwnSeconds => (UserTicks + SystemTicks) / TicksPerSecond;

    /// <summary>
    /// Its own time and that of every child it has waited for: the kernel adds a child's time to its
    /// parent's when the parent reaps it, so a child that came and went between two readings still counts.
    /// </summary>
    public double SecondsWithReapedChildren => (UserTicks + SystemTicks + ReapedChildrenUserTicks + ReapedChildrenSystemTicks) / TicksPerSecond;

    /// <summary>Parses one <c>/proc/{pid}/stat</c> line; null when it is not one.</summary>
    public static ProcessStat? Parse(string stat)
    {
        ArgumentNullException.ThrowIfNull(stat);

        // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
        int open = stat.IndexOf(" (", StringComparison.Ordinal);
        int close = stat.LastIndexOf(')');
        if (open <= 0 || close < open || close + 2 > stat.Length)
        {
            return null;
        }

        string[] fields = stat[(close + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 14
            && int.TryParse(stat.AsSpan(0, open), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
            && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int parent)
            && long.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out long user)
            && long.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out long system)
            && long.TryParse(fields[13], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long childrenUser)
            && long.TryParse(fields[14], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long childrenSystem)
                ? new ProcessStat(pid, parent, user, system, childrenUser, childrenSystem)
                : null;
    }

    /// <summary>One process's figures; null when it is gone (or this is not Linux).</summary>
    public static ProcessStat? Read(int processId)
    {
        try
        {
            return Parse(File.ReadAllText($"/proc/{processId.ToString(CultureInfo.InvariantCulture)}/stat"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Every process this machine's <c>/proc</c> shows (those that exit while it is read are left out).</summary>
    public static IReadOnlyList<ProcessStat> ReadAll()
    {
        var all = new List<ProcessStat>();
        if (!Directory.Exists("/proc"))
        {
            return all;
        }

        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && Read(pid) is { } stat)
            {
                all.Add(stat);
            }
        }

        return all;
    }
}
