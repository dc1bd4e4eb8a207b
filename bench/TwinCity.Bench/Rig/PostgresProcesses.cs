using System.Globalization;

namespace TwinCity.Bench.Rig;

/// <summary>
/// Finds the PostgreSQL server's postmaster through /proc, so that its CPU and that of its children
/// (backends, walwriter, checkpointer, autovacuum) can be read: the test fixture that starts it
/// (<c>PostgresServer</c>) keeps its process id to itself.
/// </summary>
public static class PostgresProcesses
{
    /// <summary>The postmaster listening on <paramref name="port"/>; throws when there is none.</summary>
    public static int FindPostmaster(int port)
    {
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }

            string[] arguments;
            try
            {
                arguments = File.ReadAllText(Path.Combine(directory, "cmdline")).Split('\0', StringSplitOptions.RemoveEmptyEntries);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            if (IsPostmaster(arguments, port))
            {
                return pid;
            }
        }

        throw new InvalidOperationException($"no PostgreSQL postmaster started with -p {port} was found in /proc, so the server's CPU cannot be read");
    }

    /// <summary>
    /// Whether a command line is a postmaster's on <paramref name="port"/>: the <c>postgres</c> binary
    /// with <c>-p PORT</c>. Its children rewrite their command line to a title
    /// (<c>postgres: checkpointer</c>) and keep no <c>-p</c>, so only the postmaster matches.
    /// </summary>
    public static bool IsPostmaster(IReadOnlyList<string> arguments, int port)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (arguments.Count < 3 || Path.GetFileName(arguments[0]) != "postgres")
        {
            return false;
        }

        string wanted = port.ToString(CultureInfo.InvariantCulture);
        for (int i = 1; i < arguments.Count; i++)
        {
            if ((arguments[i] == "-p" && i + 1 < arguments.Count && arguments[i + 1] == wanted) || arguments[i] == "-p" + wanted)
            {
                return true;
            }
        }

        return false;
    }
}
