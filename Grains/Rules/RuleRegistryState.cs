using TwinCity.Grains.Interfaces.Rules;

namespace TwinCity.Grains.Rules;

[GenerateSerializer, Alias("twincity.rule-registry-state")]
public sealed class RuleRegistryState
{
    [Id(0)] public long Version;
    [Id(1)] public Dictionary<string, RuleDefinition> Rules = new(StringComparer.Ordinal);
    [Id(2)] public RouteLine[] Routes = [];
}
