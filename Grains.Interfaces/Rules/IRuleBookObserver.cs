namespace TwinCity.Grains.Interfaces.Rules;

/// <summary>A silo's rule cache, told when the rules change so that it loads them again.</summary>
[Alias("twincity.IRuleBookObserver")]
public interface IRuleBookObserver : IGrainObserver
{
    [Alias("RuleBookChanged")]
    Task RuleBookChanged(long version);
}
