using System.Threading.Channels;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Protocol;
using Microsoft.Extensions.Logging;

namespace Equip.Mqtt;

/// A link or a constant that names a topic of the broker's container
/// (`{"containerId": "mqtt", "component": "<topic>", "property": "value"}`) gets that topic's
/// component at once, even when nothing has been published on the topic yet: a command topic
/// that a device only subscribes to (`cmnd/plug-1/POWER`) can be a link's destination from the
/// start. At the broker's start the links and constants in the store are looked at again.
internal sealed partial class LinkedTopics(IDataspace dataspace, IChangeFeed feed, BrokerTopics topics, ILogger<LinkedTopics> logger)
{
    private readonly Channel<string> _wanted = Channel.CreateUnbounded<string>(new() { SingleReader = true });

    public void Attach(Func<ValueTask<PeerActor>> broker)
    {
        feed.Subscribe(events =>
        {
            foreach (var change in events)
            {
                if (change.Kind != ChangeKind.Deleted)
                {
                    Want(change.Item);
                }
            }
        });
        _ = MakeWantedAsync(broker);
    }

    /// The links and constants in the store at start-up.
    public async Task ScanAsync()
    {
        foreach (var type in new[] { Ect.Link, Ect.Constant })
        {
            foreach (var item in (await dataspace.SnapshotAsync(new Pattern(type))).Items)
            {
                Want(item);
            }
        }
    }

    private void Want(ItemState item)
    {
        PropertyReference?[] ends = item.Type switch
        {
            Ect.Link when EctJson.Read<LinkFields>(item.Fields) is { } link => [link.Source, link.Destination],
            Ect.Constant when EctJson.Read<ConstantFields>(item.Fields) is { } constant => [constant.Destination],
            _ => [],
        };
        foreach (var end in ends)
        {
            if (end is { ContainerId: MqttBroker.PeerId, Component: { } topic, Property: BrokerTopics.ValueProperty })
            {
                _wanted.Writer.TryWrite(topic);
            }
        }
    }

    private async Task MakeWantedAsync(Func<ValueTask<PeerActor>> broker)
    {
        await foreach (var topic in _wanted.Reader.ReadAllAsync())
        {
            try
            {
                await topics.EnsureAsync(topic, await broker());
            }
            catch (DataspaceException refused)
            {
                NotMade(logger, topic, refused.Message);
            }
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "The component of MQTT topic '{Topic}', named by a link or a constant, could not be made: {Reason}", EventName = "MqttLinkedTopicNotMade")]
    private static partial void NotMade(ILogger logger, string topic, string reason);
}
