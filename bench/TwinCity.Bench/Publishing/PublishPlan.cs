using System.Globalization;
using TwinCity.Bench.Load;

namespace TwinCity.Bench.Publishing;

/// <summary>What the publisher process is asked to send (its command line).</summary>
public sealed record PublishPlan(int Port, int Devices, long Uplinks, DeviceMix Mix, double Rate = 0, uint FirstFCnt = 1, int Window = 1000, string? StampsPath = null, bool LiveStamps = false)
{
    public IEnumerable<string> ToArgs()
    {
        var c = CultureInfo.InvariantCulture;
        yield return "--port";
        yield return Port.ToString(c);
        yield return "--devices";
        yield return Devices.ToString(c);
        yield return "--uplinks";
        yield return Uplinks.ToString(c);
        yield return "--mix";
        yield return Mix.ToString();
        yield return "--rate";
        yield return Rate.ToString(c);
        yield return "--first-fcnt";
        yield return FirstFCnt.ToString(c);
        yield return "--window";
        yield return Window.ToString(c);
        if (StampsPath is not null)
        {
            yield return "--stamps";
            yield return StampsPath;
            if (LiveStamps)
            {
                yield return "--live-stamps";
                yield return "true";
            }
        }
    }
}
