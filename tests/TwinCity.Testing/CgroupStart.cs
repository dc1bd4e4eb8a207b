using System.Diagnostics;
using System.Globalization;

namespace TwinCity.Testing;

/// <summary>
/// Starts a program inside a cgroup from its first instruction: through <c>/bin/sh</c>, which writes
/// its own process id into the cgroup's <c>cgroup.procs</c> and then becomes the program by
/// <c>exec</c>, keeping that id. A runtime that reads its limits at start-up (.NET sizes its processor
/// count, GC heaps and thread pool to them) then sees the cgroup's, as it would on a machine of that
/// size; a process moved into a cgroup after it started has read the machine's already.
/// </summary>
public static class CgroupStart
{
    /// <summary>The exit code of a process that could not join its cgroup: its program never ran.</summary>
    public const int JoinFailedExitCode = 125;

    /// <summary>
    /// What starts <paramref name="program"/> (its arguments still to be added to
    /// <see cref="ProcessStartInfo.ArgumentList"/>) in the cgroup of <paramref name="cgroupProcs"/>,
    /// or as itself when that is null.
    /// </summary>
    public static ProcessStartInfo For(string program, string? cgroupProcs)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        if (cgroupProcs is null)
        {
            return new ProcessStartInfo(program);
        }

        var start = new ProcessStartInfo("/bin/sh");

        // $0 is the cgroup's file and "$@" the program with its arguments, so nothing is quoted by hand.
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"echo $$ > \"$0\" || exit {JoinFailedExitCode}; exec \"$@\""));
        start.ArgumentList.Add(cgroupProcs);
        start.ArgumentList.Add(program);
        return start;
    }
}
