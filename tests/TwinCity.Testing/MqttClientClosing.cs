using MQTTnet;
using MQTTnet.Exceptions;

namespace TwinCity.Testing;

/// <summary>How the test clients leave the broker.</summary>
internal static class MqttClientClosing
{
    /// <summary>
    /// Disconnects politely when still connected, then disposes. A broker that went away between the
    /// check and the DISCONNECT packet (a restart under test) leaves nothing to close politely.
    /// </summary>
    public static async ValueTask CloseAsync(IMqttClient client)
    {
        if (client.IsConnected)
        {
            try
            {
                await client.DisconnectAsync();
            }
            catch (MqttCommunicationException)
            {
                // Already gone.
            }
        }

        client.Dispose();
    }
}
