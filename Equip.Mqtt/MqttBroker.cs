using System.Text;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Infrastructure.Observability;
using Equip.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Equip.Mqtt;

/// The broker as a peer of the dataspace (docs/mqtt.md): it registers as peer "mqtt", with a new
/// incarnation for each run, when first needed, and publishes its container; it authorises each
/// publish and subscription by the client's key, and hands each message to its mapping: Homie
/// devices, Equip-native containers, Home Assistant entities, or plain topics (BrokerTopics).
internal sealed partial class MqttBroker(
    IPeerSessions peers,
    IDataspace dataspace,
    BrokerTopics topics,
    HomieDevices homie,
    HaEntities homeAssistant,
    NativeContainers native,
    NativeRequests requests,
    RetainedMessages retained,
    LostDevices lost,
    MqttRateLimits limits,
    LinkedTopics linked,
    BrokerOutbox outbox,
    MqttClients clients,
    IOptions<MqttOptions> options,
    ILogger<MqttBroker> logger)
{
    private readonly SemaphoreSlim _registering = new(1, 1);
    private PeerActor? _actor;

    /// The broker's peer id and container id, reserved: no client may register as it.
    public const string PeerId = PeerRules.MqttBrokerPeerId;

    public void Attach(MqttServer server)
    {
        clients.Attach(server);
        clients.Registered += RegisteredAsync;
        outbox.Attach(server);
        linked.Attach(ActorAsync);
        homeAssistant.Attach(server);
        server.LoadingRetainedMessageAsync += LoadAsync;
        server.RetainedMessageChangedAsync += args => args.ChangedRetainedMessage.Topic == HaStatusTopic
            ? Task.CompletedTask // the broker's own, published at every start
            : retained.ChangedAsync(args.ChangedRetainedMessage, ActorAsync);
        server.InterceptingPublishAsync += InterceptPublishAsync;
        server.InterceptingSubscriptionAsync += InterceptSubscriptionAsync;
    }

    /// At the broker's start: the topics kept in the store, whose retained messages come back. When
    /// an earlier incarnation of the broker is still in the store (its container), the broker
    /// registers at once, which ends that incarnation: its process-bound topics go with it.
    private async Task LoadAsync(LoadingRetainedMessagesEventArgs args)
    {
        if (await dataspace.GetAsync(Ect.ContainerItemId(PeerId)) is not null)
        {
            await ActorAsync();
        }
        await topics.LoadAsync();
        await linked.ScanAsync();
        args.LoadedRetainedMessages = await retained.LoadAsync();
        lost.Watch(args.LoadedRetainedMessages);
        requests.Start(args.LoadedRetainedMessages);
    }

    /// What the broker publishes at every start for devices that wait for Home Assistant.
    public const string HaStatusTopic = "homeassistant/status";

    /// The broker's peer association, registered (and its container published) when a client first
    /// needs it, so that a server no MQTT client has used shows no broker.
    public async ValueTask<PeerActor> ActorAsync()
    {
        if (_actor is { } actor)
        {
            return actor;
        }
        await _registering.WaitAsync();
        try
        {
            if (_actor is null)
            {
                var registered = await peers.RegisterAsync(PeerId, Guid.NewGuid().ToString(), "MQTT broker", null, CancellationToken.None);
                var container = new ContainerFields(PeerId, "MQTT broker", Environment.MachineName, new Dictionary<string, string> { ["protocol"] = "mqtt" });
                await dataspace.AddAsync(new AddItem(Ect.ContainerItemId(PeerId), Ect.Container, EctJson.Write(container), PeerId, ProcessBound: true, By: registered.Actor));
                _actor = registered.Actor;
            }
            return _actor;
        }
        finally
        {
            _registering.Release();
        }
    }

    private async Task InterceptPublishAsync(InterceptingPublishEventArgs args)
    {
        if (args.ClientId == PeerId)
        {
            return; // the broker's own: a value written in the dataspace, already there
        }
        var message = args.ApplicationMessage;
        if (message.Payload.Length > options.Value.MaxMessageBytes)
        {
            Refuse(args, MqttPubAckReasonCode.ImplementationSpecificError, "publish",
                $"the payload ({message.Payload.Length} bytes) is larger than Equip:Mqtt:MaxMessageBytes ({options.Value.MaxMessageBytes})");
            return;
        }
        await limits.WaitAsync(args.ClientId, args.CancellationToken);
        if (TopicAccess.RefusalOf(MqttClients.GrantOf(args.SessionItems), message.Topic) is { } refusal)
        {
            Refuse(args, MqttPubAckReasonCode.NotAuthorized, "publish", refusal);
            return;
        }
        lost.Published(message.Topic);
        if (await clients.ActorOfAsync(args.ClientId) is not { } client)
        {
            return; // its registration failed: it is being disconnected
        }
        try
        {
            await MapAsync(message, client);
        }
        catch (DataspaceException refused)
        {
            // Delivered to the subscribers all the same; only its mapping is refused (a limit, or
            // an entity whose earlier session has ended): the client's connection is not dropped.
            if (ThrottledWarning.ShouldLog("mqtt:" + args.ClientId))
            {
                Refused(logger, "mapping of a message", args.ClientId, refused.Message);
            }
        }
    }

    private async Task RegisteredAsync(PeerActor client)
    {
        try
        {
            await homeAssistant.RegisteredAsync(client);
        }
        catch (DataspaceException refused)
        {
            Refused(logger, "announcement made again", client.PeerId, refused.Message);
        }
    }

    /// Hands the message to its mapping onto the dataspace.
    private async Task MapAsync(MqttApplicationMessage message, PeerActor client)
    {
        if (HomieDevices.Handles(message.Topic))
        {
            await homie.PublishedAsync(message.Topic, message.Payload, client);
        }
        else if (NativeContainers.Handles(message.Topic))
        {
            await native.PublishedAsync(message.Topic, message.Payload, client);
        }
        else if (HaEntities.IsConfig(message.Topic))
        {
            await homeAssistant.ConfigAsync(message.Topic, message.Payload, client);
        }
        else if (homeAssistant.Follows(message.Topic))
        {
            await homeAssistant.FollowedAsync(message.Topic, message.Payload);
        }
        else
        {
            await topics.PublishedAsync(message.Topic, message.Payload, message.Retain, await ActorAsync());
        }
    }

    /// The message is not delivered: the client is told why (MQTT 5) and a warning logged, once a
    /// second at most per client.
    private void Refuse(InterceptingPublishEventArgs args, MqttPubAckReasonCode code, string what, string reason)
    {
        args.ProcessPublish = false;
        args.Response.ReasonCode = code;
        args.Response.ReasonString = reason;
        if (ThrottledWarning.ShouldLog("mqtt:" + args.ClientId))
        {
            Refused(logger, what, args.ClientId, reason);
        }
    }

    private Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs args)
    {
        if (TopicAccess.RefusalOf(MqttClients.GrantOf(args.SessionItems), args.TopicFilter.Topic) is { } refusal)
        {
            args.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            args.ReasonString = refusal;
            if (ThrottledWarning.ShouldLog("mqtt:" + args.ClientId))
            {
                Refused(logger, "subscription", args.ClientId, refusal);
            }
        }
        return Task.CompletedTask;
    }

    [LoggerMessage(1, LogLevel.Warning, "Refused an MQTT {What} of client '{ClientId}': {Reason}", EventName = "MqttRefused")]
    private static partial void Refused(ILogger logger, string what, string clientId, string reason);
}
