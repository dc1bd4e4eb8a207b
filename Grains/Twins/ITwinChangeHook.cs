namespace TwinCity.Grains.Twins;

/// <summary>
/// Something that reacts to every change of a twin inside the twin's own activation (the rules
/// engine). Registered in the silo's container; the twin calls it after each change.
/// </summary>
public interface ITwinChangeHook
{
    ValueTask OnTwinChangedAsync(ITwinChangeContext twin);
}
