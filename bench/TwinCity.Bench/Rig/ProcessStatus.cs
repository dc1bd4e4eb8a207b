using System.Globalization;

namespace TwinCity.Bench.Rig;

/// <summary>A process's resident memory and thread count, from <c>/proc/{pid}/status</c> (VmRSS, Threads), as the kernel sees them.</summary>
public readonly record struct ProcessStatus(long ResidentBytes, int Threads)
{
    public static ProcessStatus? Read(int processId)
    {
        try
        {
            long rss = -1;
            int threads = -1;
            foreach (string line in File.ReadLines($"/proc/{processId.ToString(CultureInfo.InvariantCulture)}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = long.Parse(line["VmRSS:".Length..].Replace("kB", string.Empty, StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture) * 1024;
                }
                else if (line.StartsWith("Threads:", StringComparison.Ordinal))
                {
                    threads = int.Parse(line["Threads:".Length..].Trim(), CultureInfo.InvariantCulture);
                }
            }

            return rss >= 0 && threads >= 0 ? new ProcessStatus(rss, threads) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            // Gone, or not Linux.
            return null;
        }
    }
}
