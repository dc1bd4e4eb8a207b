namespace TwinCity.Gateway.Ingest.Intake;

/// <summary>
/// Where a message in ingest's lanes came from, and what must happen once it is done with: the
/// embedded broker's handoff, an MQTT connection (the silo's own session, or a dead silo's session
/// taken over), or a batch another silo forwarded to this one, the owner of its devices.
/// </summary>
public interface IIntakeSource
{
    /// <summary>
    /// How long a passing fault on one of its messages is tried again in its lane before the message
    /// is given back not applied: without end for a message that nobody else will deliver again
    /// while this silo runs, a few seconds for one whose sender can try elsewhere.
    /// </summary>
    TimeSpan RetryFor { get; }

    /// <summary>
    /// Whether <paramref name="item"/> may still be applied: false once the connection it came on is
    /// gone, since the broker then delivers it again on the next one.
    /// </summary>
    bool IsCurrent(in IntakeItem item);

    /// <summary>
    /// <paramref name="item"/> is done with: <paramref name="applied"/> when it is final (applied and
    /// durable, a duplicate, ignored or dead-lettered) and may be acknowledged; false when it was given
    /// back (stopping, its connection gone, or its retries spent) and must come again.
    /// Called once per item; the payload's buffer is returned to its pool after this.
    /// </summary>
    void Complete(in IntakeItem item, bool applied);

    /// <summary>
    /// <paramref name="item"/> waits for another silo that has not answered for a while (hung, perhaps,
    /// and not yet declared dead). A source that bounds how many messages it holds may stop counting
    /// this one against that bound, so that the wait does not stop the messages that can be applied.
    /// It is still completed (<see cref="Complete"/>) as usual, once answered or routed again.
    /// </summary>
    void Waiting(in IntakeItem item)
    {
    }
}
