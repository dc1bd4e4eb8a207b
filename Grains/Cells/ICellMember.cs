namespace TwinCity.Grains.Cells;

/// <summary>
/// A twin as its silo's record of which twins tell which cell sees it: the twin object itself, so that
/// the record costs a silo one reference a twin rather than a key and an entry of its own.
/// </summary>
public interface ICellMember
{
    /// <summary>
    /// Have the twin tell its cell again how it stands, in its own turn through <paramref name="grains"/>
    /// (called outside the twin's turn).
    /// </summary>
    void PublishAgain(IGrainFactory grains);
}
