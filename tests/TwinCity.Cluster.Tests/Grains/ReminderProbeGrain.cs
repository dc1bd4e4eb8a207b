namespace TwinCity.Cluster.Tests.Grains;

public sealed class ReminderProbeGrain : Grain, IReminderProbeGrain, IRemindable
{
    public const string ReminderName = "probe";

    private int _ticks;

    public Task Register(TimeSpan dueTime, TimeSpan period) => this.RegisterOrUpdateReminder(ReminderName, dueTime, period);

    public Task<int> Ticks() => Task.FromResult(_ticks);

    public async Task<bool> IsRegistered() => await this.GetReminder(ReminderName) is not null;

    public async Task Unregister()
    {
        IGrainReminder? reminder = await this.GetReminder(ReminderName);
        if (reminder is not null)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        _ticks++;
        return Task.CompletedTask;
    }
}
