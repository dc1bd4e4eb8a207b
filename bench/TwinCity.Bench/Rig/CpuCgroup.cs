using System.Globalization;

namespace TwinCity.Bench.Rig;

/// <summary>
/// A cgroup v1 <c>cpu</c> cgroup, /sys/fs/cgroup/cpu/twincity-bench/NAME/, with a CFS quota of a
/// fraction of one core: a stand-in for a machine of its own, for one process put in it. The
/// directory is removed by <see cref="Dispose"/>, which must come after that process exited (the
/// kernel refuses to remove a cgroup with tasks in it).
/// </summary>
public sealed class CpuCgroup : IDisposable
{
    public const string ControllerRoot = "/sys/fs/cgroup/cpu";
    public const string BenchFolder = "twincity-bench";

    /// <summary>The kernel's CFS period unless told otherwise: the quota is what the cgroup may run in each 100 ms.</summary>
    public const long DefaultPeriodMicroseconds = 100_000;

    /// <summary>The shortest and longest CFS periods the kernel takes (1 ms and 1 s).</summary>
    public const long MinPeriodMicroseconds = 1_000, MaxPeriodMicroseconds = 1_000_000;

    private bool _removed;

    private CpuCgroup(string path, long quotaMicroseconds, long periodMicroseconds)
    {
        Path = path;
        QuotaMicroseconds = quotaMicroseconds;
        PeriodMicroseconds = periodMicroseconds;
    }

    public string Path { get; }

    public long QuotaMicroseconds { get; }

    public long PeriodMicroseconds { get; }

    /// <summary>The file a process writes its id into to join the cgroup (see <c>CgroupStart</c>, which starts a program in it).</summary>
    public string ProcsFile => System.IO.Path.Combine(Path, "cgroup.procs");

    public static string BenchRoot => System.IO.Path.Combine(ControllerRoot, BenchFolder);

    /// <summary><c>cpu.cfs_quota_us</c> for a share of one core (0.4 reads as 40,000 per 100,000).</summary>
    public static long QuotaFor(double cores, long periodMicroseconds = DefaultPeriodMicroseconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(periodMicroseconds, MinPeriodMicroseconds);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(periodMicroseconds, MaxPeriodMicroseconds);

        // The kernel takes no quota below 1 ms.
        return cores is > 0 && double.IsFinite(cores)
            ? Math.Max(1000, (long)Math.Round(cores * periodMicroseconds))
            : throw new ArgumentOutOfRangeException(nameof(cores), cores, "a share of a core above 0");
    }

    /// <summary>Why no cgroup can be made here, or null when one can (checked by making the bench's folder, which is removed again if it was not there).</summary>
    public static string? Unavailable()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "cgroups are a Linux feature";
        }

        if (!File.Exists(System.IO.Path.Combine(ControllerRoot, "cpu.cfs_quota_us")))
        {
            return $"the cgroup v1 cpu controller is not mounted at {ControllerRoot} (there is no cpu.cfs_quota_us there; a cgroup v2 host has cpu.max instead, which this bench does not drive)";
        }

        if (!Environment.IsPrivilegedProcess)
        {
            return $"making a cgroup under {ControllerRoot} needs root, and the bench runs as {Environment.UserName}";
        }

        bool existed = Directory.Exists(BenchRoot);
        try
        {
            Directory.CreateDirectory(BenchRoot);
            return File.Exists(System.IO.Path.Combine(BenchRoot, "cgroup.procs"))
                ? null
                : $"{BenchRoot} was made but holds no cgroup.procs: {ControllerRoot} is not a cgroup file system";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"{BenchRoot} could not be made: {ex.Message}";
        }
        finally
        {
            // A check leaves nothing behind: Create makes the folder again with the cgroup.
            if (!existed)
            {
                RemoveBenchRootIfEmpty();
            }
        }
    }

    /// <summary>
    /// Makes (or takes over, when a run that broke left it behind) the cgroup NAME with a quota of
    /// <paramref name="cores"/> in each period of <paramref name="periodMicroseconds"/>.
    /// </summary>
    /// <remarks>
    /// The quota is a share of each period: a process held to a quarter of a core runs for a quarter of
    /// the period (across all its threads) and is then stopped until the period ends. With the kernel's
    /// 100 ms that is up to 75 ms stopped at a time, where a machine of a quarter of the speed never
    /// stops; a shorter period comes closer to that machine.
    /// </remarks>
    /// <exception cref="IOException">The cgroup could not be made or set.</exception>
    public static CpuCgroup Create(string name, double cores, long periodMicroseconds = DefaultPeriodMicroseconds)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        long quota = QuotaFor(cores, periodMicroseconds);
        string path = System.IO.Path.Combine(BenchRoot, name);
        try
        {
            Directory.CreateDirectory(path);
            var cgroup = new CpuCgroup(path, quota, periodMicroseconds);

            // A quota is checked against the period in force: a quota larger than the old period's
            // room, or a period shorter than the old quota, is refused, so clear the quota first.
            cgroup.Write("cpu.cfs_quota_us", -1);
            cgroup.Write("cpu.cfs_period_us", periodMicroseconds);
            cgroup.Write("cpu.cfs_quota_us", quota);
            return cgroup;
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new IOException($"the cpu cgroup {path} could not be made with cpu.cfs_quota_us={quota} per cpu.cfs_period_us={periodMicroseconds}: {ex.Message}", ex);
        }
    }

    /// <summary>From <c>cpu.stat</c>: CFS periods, those in which the quota ran out, and the time held back (ns).</summary>
    public (long Periods, long Throttled, long ThrottledNanoseconds) Throttling()
    {
        long periods = 0, throttled = 0, time = 0;
        try
        {
            foreach (string line in File.ReadLines(System.IO.Path.Combine(Path, "cpu.stat")))
            {
                string[] parts = line.Split(' ');
                if (parts.Length == 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long value))
                {
                    switch (parts[0])
                    {
                        case "nr_periods": periods = value; break;
                        case "nr_throttled": throttled = value; break;
                        case "throttled_time": time = value; break;
                    }
                }
            }
        }
        catch (IOException)
        {
            // Removed already: nothing to tell.
        }

        return (periods, throttled, time);
    }

    /// <summary>Removes the cgroup's directory (after its process exited), retrying while the kernel still counts the exiting task in it.</summary>
    public void Dispose()
    {
        if (_removed)
        {
            return;
        }

        for (int attempt = 1; ; attempt++)
        {
            try
            {
                // A cgroup's directory is removed with rmdir alone: its control files are not files to delete.
                if (Directory.Exists(Path))
                {
                    Directory.Delete(Path, recursive: false);
                }

                _removed = true;
                return;
            }
            catch (IOException) when (attempt < 20)
            {
                Thread.Sleep(100);
            }
            catch (IOException ex)
            {
                Measure.Progress.Say($"could not remove the cgroup {Path}: {ex.Message} (remove it with rmdir once its processes are gone)");
                return;
            }
        }
    }

    /// <summary>Removes the bench's own folder when no cgroup is left in it (another bench's may be).</summary>
    public static void RemoveBenchRootIfEmpty()
    {
        try
        {
            if (Directory.Exists(BenchRoot) && !Directory.EnumerateDirectories(BenchRoot).Any())
            {
                Directory.Delete(BenchRoot, recursive: false);
            }
        }
        catch (IOException)
        {
            // Still in use: left for the next run, which takes it over.
        }
    }

    private void Write(string file, long value) =>
        File.WriteAllText(System.IO.Path.Combine(Path, file), value.ToString(CultureInfo.InvariantCulture));
}
