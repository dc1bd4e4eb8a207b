using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using TwinCity.Grains.Cells.Relay;

namespace TwinCity.Grains.Tests.Cells;

/// <summary>What the tests of cells across in-process cluster silos share.</summary>
internal static class RelaySilos
{
    /// <summary>The cell relay of one in-process silo.</summary>
    public static CellRelay RelayOn(SiloHandle silo) =>
        ((InProcessSiloHandle)silo).SiloHost.Services.GetRequiredService<CellRelay>();

    /// <summary>Waits up to 30 s for <paramref name="condition"/>, and fails with <paramref name="failure"/> if it never holds.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string failure)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(20);
        }
    }
}
