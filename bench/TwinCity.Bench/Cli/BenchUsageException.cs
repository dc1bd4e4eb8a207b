namespace TwinCity.Bench.Cli;

/// <summary>A wrong command line; the message says what is wrong.</summary>
public sealed class BenchUsageException : Exception
{
    public BenchUsageException()
    {
    }

    public BenchUsageException(string message)
        : base(message)
    {
    }

    public BenchUsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
