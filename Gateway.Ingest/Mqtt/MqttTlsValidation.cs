using Microsoft.Extensions.Options;

namespace TwinCity.Gateway.Ingest.Mqtt;

/// <summary>Stops start-up when a file named under "Mqtt:Tls" cannot be used, naming the key and the reason.</summary>
internal sealed class MqttTlsValidation : IValidateOptions<MqttOptions>
{
    public ValidateOptionsResult Validate(string? name, MqttOptions options)
    {
        if (options.Embedded)
        {
            return ValidateOptionsResult.Skip;
        }

        IReadOnlyList<string> problems = BrokerTls.Problems(options);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
