namespace TwinCity.Bench.Engine;

/// <summary>
/// A grain with no state, keyed by a string as twins are: what one activation costs the silo before
/// a twin adds anything of its own.
/// </summary>
[Alias("twincity.bench.IBenchEmptyGrain")]
public interface IBenchEmptyGrain : IGrainWithStringKey
{
    [Alias("Touch")]
    ValueTask TouchAsync();
}
