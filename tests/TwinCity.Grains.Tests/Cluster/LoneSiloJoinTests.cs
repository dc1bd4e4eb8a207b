using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.TestingHost;
using TwinCity.Grains.Cluster;
using TwinCity.Grains.Storage;

namespace TwinCity.Grains.Tests.Cluster;

/// <summary>
/// A lone silo keeps no grain directory, so it must not share its cluster: when another silo joins,
/// it stops rather than let both activate the same twins.
/// </summary>
public sealed class LoneSiloJoinTests : OwnSiloTests<LoneSiloJoinTests.LonePrimary>
{
    [Fact]
    public async Task A_lone_silo_that_another_silo_joins_stops_rather_than_share_its_twins()
    {
        IHostApplicationLifetime lone = ((InProcessSiloHandle)Cluster.Primary!).SiloHost.Services.GetRequiredService<IHostApplicationLifetime>();
        var stopped = new TaskCompletionSource();
        using CancellationTokenRegistration registration = lone.ApplicationStopping.Register(() => stopped.TrySetResult());
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.False(lone.ApplicationStopping.IsCancellationRequested, "the lone silo stopped while it was alone");

        await Cluster.StartAdditionalSiloAsync();

        await stopped.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>The first silo runs as a lone silo; any silo after it is an ordinary one.</summary>
    public sealed class LonePrimary : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            ClusterFixture.AddTestGrains(siloBuilder);
            if (siloBuilder.Configuration["Orleans:Name"] == "Primary")
            {
                siloBuilder.UseOneSiloStorage();
                siloBuilder.UseLoneSiloDirectory();
            }
        }
    }
}
