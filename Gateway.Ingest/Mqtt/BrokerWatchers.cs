using System.Collections.Concurrent;
using MQTTnet;
using MQTTnet.Server;

namespace TwinCity.Gateway.Ingest.Mqtt;

/// <summary>
/// The topic filters the embedded broker's clients subscribe to, so that a network-server event ingest
/// takes in process (<see cref="BrokerHandoff"/>) still reaches anyone watching it, such as a newcomer's
/// <c>mosquitto_sub -t '#'</c>.
/// </summary>
/// <remarks>
/// Nobody watches in most cities' steady state, and then a message costs one read of an empty array:
/// the broker is told to deliver it only when a filter held by some client matches its topic. The
/// filters stay as long as their session does (unsubscribed, or the session deleted), as the broker's
/// own subscriptions do, so a watcher with a lasting session gets what was published while it was away.
/// </remarks>
public sealed class BrokerWatchers
{
    private readonly ConcurrentDictionary<string, HashSet<string>> _byClient = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private string[] _filters = [];

    /// <summary>Filters held by some client, each once.</summary>
    public IReadOnlyList<string> Filters => Volatile.Read(ref _filters);

    /// <summary>Whether a client's subscription matches <paramref name="topic"/>.</summary>
    public bool AnyMatch(string topic)
    {
        string[] filters = Volatile.Read(ref _filters);
        foreach (string filter in filters)
        {
            if (MqttTopicFilterComparer.Compare(topic, filter) == MqttTopicFilterCompareResult.IsMatch)
            {
                return true;
            }
        }

        return false;
    }

    public void Subscribed(string clientId, string topicFilter)
    {
        string filter = WithoutShare(topicFilter);
        lock (_gate)
        {
            _byClient.GetOrAdd(clientId, static _ => new HashSet<string>(StringComparer.Ordinal)).Add(filter);
            Publish();
        }
    }

    public void Unsubscribed(string clientId, string topicFilter)
    {
        string filter = WithoutShare(topicFilter);
        lock (_gate)
        {
            if (_byClient.TryGetValue(clientId, out HashSet<string>? filters) && filters.Remove(filter) && filters.Count == 0)
            {
                _byClient.TryRemove(clientId, out _);
            }

            Publish();
        }
    }

    public void SessionDeleted(string clientId)
    {
        lock (_gate)
        {
            _byClient.TryRemove(clientId, out _);
            Publish();
        }
    }

    /// <summary>Follows <paramref name="server"/>'s subscriptions from now on.</summary>
    public void Follow(MqttServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        server.ClientSubscribedTopicAsync += e =>
        {
            Subscribed(e.ClientId, e.TopicFilter.Topic);
            return Task.CompletedTask;
        };
        server.ClientUnsubscribedTopicAsync += e =>
        {
            Unsubscribed(e.ClientId, e.TopicFilter);
            return Task.CompletedTask;
        };
        server.SessionDeletedAsync += e =>
        {
            SessionDeleted(e.Id);
            return Task.CompletedTask;
        };
    }

    private void Publish() => Volatile.Write(ref _filters, [.. _byClient.Values.SelectMany(f => f).Distinct(StringComparer.Ordinal)]);

    /// <summary>A shared subscription (<c>$share/{group}/{filter}</c>) matches as its filter does.</summary>
    private static string WithoutShare(string filter)
    {
        if (!filter.StartsWith("$share/", StringComparison.Ordinal))
        {
            return filter;
        }

        int slash = filter.IndexOf('/', "$share/".Length);
        return slash < 0 ? filter : filter[(slash + 1)..];
    }
}
