using System.Globalization;
using System.Runtime.InteropServices;

namespace TwinCity.Bench.Reporting;

/// <summary>What the figures were measured on: they mean little without it.</summary>
public sealed record MachineInfo(int Processors, double MemoryGiB, string Cpu, string Os, string Runtime)
{
    public static MachineInfo Current() => new(
        Environment.ProcessorCount,
        Math.Round(MemoryBytes() / (1024.0 * 1024 * 1024), 1),
        CpuModel(),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription);

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Processors} cores (nproc), {MemoryGiB:0.#} GiB memory, {Cpu}, {Os}, {Runtime}");

    private static long MemoryBytes()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                {
                    string kb = line["MemTotal:".Length..].Replace("kB", string.Empty, StringComparison.Ordinal).Trim();
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
            // Not Linux: fall through to what the GC knows.
        }

        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    private static string CpuModel()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal))
                {
                    return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
            // Not Linux.
        }

        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}
