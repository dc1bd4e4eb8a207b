using System.Diagnostics;
using System.Globalization;

namespace TwinCity.Bench.Rig;

/// <summary>CPU time (user + system) a process has used so far, read from /proc so that it works for any process.</summary>
public static class ProcessCpu
{
    // USER_HZ is 100 on every Linux the SDK runs on.
    private const double TicksPerSecond = 100.0;

    public static double Seconds(int processId)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{processId.ToString(CultureInfo.InvariantCulture)}/stat");

            // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
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
    }
}
