using TwinCity.Grains.Interfaces.Rules;

namespace TwinCity.Grains.Rules;

[GenerateSerializer, Alias("twincity.rule-firings-state")]
public sealed class RuleFiringsState
{
    /// <summary>Oldest first.</summary>
    [Id(0)] public List<RuleFiring> Firings = [];
}
