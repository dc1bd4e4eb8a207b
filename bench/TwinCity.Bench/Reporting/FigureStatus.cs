namespace TwinCity.Bench.Reporting;

/// <summary>How a figure stands against its target.</summary>
public enum FigureStatus
{
    /// <summary>No target: shown for context.</summary>
    Info,

    Met,

    Missed,

    /// <summary>A correctness check failed (uplinks lost, a run that did not finish): the run fails.</summary>
    Failed,
}
