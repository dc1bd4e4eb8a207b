namespace TwinCity.Bench.Rig;

/// <summary>What happens to the silo that fails in a failover run.</summary>
public enum SiloFault
{
    /// <summary>SIGKILL: the process is gone at once and its sockets close, as in a crash.</summary>
    Kill,

    /// <summary>SIGSTOP: the process hangs with its sockets open and answers nothing, as a hung machine would.</summary>
    Stop,
}
