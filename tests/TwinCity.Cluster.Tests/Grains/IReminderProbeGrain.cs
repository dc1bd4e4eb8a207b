namespace TwinCity.Cluster.Tests.Grains;

/// <summary>Counts the ticks of one reminder kept in the ADO.NET reminder table.</summary>
public interface IReminderProbeGrain : IGrainWithStringKey
{
    Task Register(TimeSpan dueTime, TimeSpan period);

    Task<int> Ticks();

    Task<bool> IsRegistered();

    Task Unregister();
}
