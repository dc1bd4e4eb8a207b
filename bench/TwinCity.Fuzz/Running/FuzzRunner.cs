using TwinCity.Fuzz.Mutation;
using TwinCity.Fuzz.Targets;

namespace TwinCity.Fuzz.Running;

/// <summary>
/// Runs a target over mutated inputs and holds it to the contract of every parser of outside
/// input: no exception escapes, and every refusal carries a reason. Managed memory is measured
/// after a warm-up and at the end (both after a full collection) to show it stays flat.
/// </summary>
public static class FuzzRunner
{
    private const int MaxCrashesKept = 20;
    private const int MaxReasonsTracked = 1_000;

    public static FuzzResult Run(IFuzzTarget target, int seed, long iterations, Action<long>? progress = null)
    {
        var mutator = new Mutator(seed, target.Corpus, target.Dictionary, target.MaxLength);
        var crashes = new List<FuzzCrash>();
        var reasons = new HashSet<string>(StringComparer.Ordinal);
        long accepted = 0;
        long rejected = 0;
        long crashCount = 0;
        long warmUp = Math.Min(iterations / 10, 10_000);
        long baseline = 0;
        var watch = System.Diagnostics.Stopwatch.StartNew();

        for (long i = 0; i < iterations; i++)
        {
            if (i == warmUp)
            {
                baseline = GC.GetTotalMemory(forceFullCollection: true);
            }

            ReadOnlySpan<byte> input = mutator.Next();
            try
            {
                FuzzVerdict verdict = target.Check(input);
                if (verdict.Accepted)
                {
                    accepted++;
                }
                else if (string.IsNullOrWhiteSpace(verdict.Reason))
                {
                    crashCount++;
                    Keep(crashes, new FuzzCrash(target.Name, seed, i, Convert.ToHexString(input), "refused without a reason"));
                }
                else
                {
                    rejected++;
                    if (reasons.Count < MaxReasonsTracked)
                    {
                        reasons.Add(verdict.Reason);
                    }
                }
            }
#pragma warning disable CA1031 // Catching everything is the point: any exception is a finding.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                crashCount++;
                Keep(crashes, new FuzzCrash(target.Name, seed, i, Convert.ToHexString(input), $"{ex.GetType().Name}: {ex.Message}"));
            }

            if (progress is not null && (i & 0xFFFF) == 0)
            {
                progress(i);
            }
        }

        watch.Stop();
        long end = GC.GetTotalMemory(forceFullCollection: true);
        return new FuzzResult(target.Name, iterations, accepted, rejected, reasons.Count, crashCount, crashes, watch.Elapsed, baseline, end);
    }

    /// <summary>The input at <paramref name="iteration"/> of a pass, to replay a crash.</summary>
    public static byte[] Replay(IFuzzTarget target, int seed, long iteration)
    {
        var mutator = new Mutator(seed, target.Corpus, target.Dictionary, target.MaxLength);
        for (long i = 0; i < iteration; i++)
        {
            mutator.Next();
        }

        return mutator.Next().ToArray();
    }

    private static void Keep(List<FuzzCrash> crashes, FuzzCrash crash)
    {
        if (crashes.Count < MaxCrashesKept)
        {
            crashes.Add(crash);
        }
    }
}
