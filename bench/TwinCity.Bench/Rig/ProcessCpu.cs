using System.Diagnostics;

namespace TwinCity.Bench.Rig;

/// <summary>CPU time (user + system) a process has used so far, read from /proc so that it works for any process.</summary>
public static class ProcessCpu
{
    public static double Seconds(int processId)
    {
        if (ProcessStat.Read(processId) is { } stat)
        {
            return stat.OwnSeconds;
        }

        try
        {
            using var p = Process.GetProcessById(processId);
            return p.TotalProcessorTime.TotalSeconds;
        }
        catch (ArgumentException)
        {
            return double.NaN;
        }
    }

    /// <summary>
    /// CPU time of those threads of a process whose name (<c>/proc/{pid}/task/{tid}/stat</c>'s second
    /// field, which Linux cuts to 15 characters) starts with <paramref name="threadName"/>, thread by
    /// thread (by thread id), so that a thread that ended and one started since are not taken for one;
    /// empty when none does, null when the process is gone. Threads that already ended are not counted.
    /// </summary>
    public static Dictionary<int, double>? ThreadsSeconds(int processId, string threadName)
    {
        ArgumentNullException.ThrowIfNull(threadName);
        string tasks = $"/proc/{processId.ToString(System.Globalization.CultureInfo.InvariantCulture)}/task";
        try
        {
            var threads = new Dictionary<int, double>();
            foreach (string task in Directory.EnumerateDirectories(tasks))
            {
                string stat;
                try
                {
                    stat = File.ReadAllText(Path.Combine(task, "stat"));
                }
                catch (IOException)
                {
                    continue;
                }

                int open = stat.IndexOf(" (", StringComparison.Ordinal);
                if (open > 0 && stat.AsSpan(open + 2).StartsWith(threadName, StringComparison.Ordinal) && ProcessStat.Parse(stat) is { } thread
                    && int.TryParse(Path.GetFileName(task), System.Globalization.CultureInfo.InvariantCulture, out int threadId))
                {
                    threads[threadId] = thread.OwnSeconds;
                }
            }

            return threads;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// CPU time of a process and all its descendants, as <see cref="TreeSeconds(IReadOnlyCollection{ProcessStat}, int)"/>
    /// over what <c>/proc</c> shows now; NaN when the process is gone.
    /// </summary>
    public static double TreeSeconds(int rootProcessId) => TreeSeconds(ProcessStat.ReadAll(), rootProcessId);

    /// <summary>
    /// CPU time of <paramref name="rootProcessId"/> and every live descendant (found by parent pid),
    /// each with the time of the children it has reaped: so children that started and ended between
    /// two readings (a PostgreSQL backend, an autovacuum worker) count too. NaN when the root is not among them.
    /// </summary>
    public static double TreeSeconds(IReadOnlyCollection<ProcessStat> processes, int rootProcessId)
    {
        ArgumentNullException.ThrowIfNull(processes);
        ILookup<int, ProcessStat> children = processes.ToLookup(p => p.ParentId);
        ProcessStat? root = processes.Select(p => (ProcessStat?)p).FirstOrDefault(p => p!.Value.ProcessId == rootProcessId);
        if (root is null)
        {
            return double.NaN;
        }

        double seconds = 0;
        var pending = new Stack<ProcessStat>([root.Value]);
        var seen = new HashSet<int>();
        while (pending.TryPop(out ProcessStat process))
        {
            // A pid seen twice would be a cycle only a torn read of /proc could make.
            if (!seen.Add(process.ProcessId))
            {
                continue;
            }

            seconds += process.SecondsWithReapedChildren;
            foreach (ProcessStat child in children[process.ProcessId])
            {
                pending.Push(child);
            }
        }

        return seconds;
    }
}
