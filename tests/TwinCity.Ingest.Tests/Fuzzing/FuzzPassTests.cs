using TwinCity.Fuzz.Running;
using TwinCity.Fuzz.Targets;

namespace TwinCity.Ingest.Tests.Fuzzing;

/// <summary>
/// A short, seeded pass of the mutation fuzzer (bench/TwinCity.Fuzz) over every parser of outside
/// input. The long pass (a million inputs a parser) runs from bench/; this one keeps the contract
/// checked on every test run: nothing throws, every refusal says why, and memory stays flat.
/// </summary>
[Collection(ProcessMemoryCollection.Name)]
public sealed class FuzzPassTests
{
    private const int Seed = 7;
    private const int Inputs = 20_000;

    public static TheoryData<string> Targets()
    {
        var data = new TheoryData<string>();
        foreach (IFuzzTarget target in FuzzTargets.All())
        {
            data.Add(target.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Parser_never_throws_and_gives_a_reason_for_every_refusal(string name)
    {
        IFuzzTarget target = FuzzTargets.All().Single(t => t.Name == name);

        FuzzResult result = FuzzRunner.Run(target, Seed, Inputs);

        Assert.True(result.CrashCount == 0, string.Join('\n', result.Crashes.Select(c => $"iteration {c.Iteration}: {c.Problem} input {c.InputHex}")));
        // Both outcomes must occur, or the mutations are not reaching into the parser.
        Assert.InRange(result.Accepted, 1, Inputs - 1);
        Assert.InRange(result.Rejected, 1, Inputs - 1);
        Assert.Equal(Inputs, result.Accepted + result.Rejected);
        Assert.True(result.ManagedGrowth < 8 * 1024 * 1024, $"managed heap grew by {result.ManagedGrowth:N0} bytes");
    }

    [Fact]
    public void Same_seed_gives_the_same_inputs()
    {
        IFuzzTarget target = FuzzTargets.All()[0];

        byte[] first = FuzzRunner.Replay(target, Seed, 1234);
        byte[] second = FuzzRunner.Replay(target, Seed, 1234);
        byte[] other = FuzzRunner.Replay(target, Seed + 1, 1234);

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }
}
