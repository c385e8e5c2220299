using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Equip.Domain.Dataspace;
using Equip.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace Equip.Mqtt;

/// Component requests for Equip-native MQTT containers (docs/mqtt.md, Firmware of your own): each
/// request assigned to a container for a capability it declared over MQTT is a retained message
/// `equip/<container>/$requests/<request id>` = {"capability", "component", "values"}; when the
/// request is deleted or assigned elsewhere the retained message is cleared (an empty payload).
/// Reconciled after every change of requests and capabilities, as the launcher is, against what
/// was published (the retained messages, which outlive a restart).
internal sealed partial class NativeRequests(IDataspace dataspace, IChangeFeed feed, BrokerOutbox outbox, IHostApplicationLifetime lifetime, ILogger<NativeRequests> logger)
{
    private const string Segment = "/$requests/";
    private static readonly TimeSpan Resweep = TimeSpan.FromSeconds(5);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Dictionary<string, string> _published = new(); // topic → payload, as retained now

    public static string Topic(string containerId, Guid request) => $"{NativeContainers.Prefix}{containerId}{Segment}{request}";

    /// Starts following, from the request messages among the retained messages loaded at start.
    public void Start(IEnumerable<MqttApplicationMessage> retained)
    {
        foreach (var message in retained)
        {
            if (message.Topic.StartsWith(NativeContainers.Prefix, StringComparison.Ordinal) && message.Topic.Contains(Segment, StringComparison.Ordinal))
            {
                _published[message.Topic] = Encoding.UTF8.GetString(message.Payload);
            }
        }
        feed.Subscribe(events =>
        {
            if (events.Any(e => e.Item.Type is Ect.ComponentRequest or Ect.Capability))
            {
                _wake.Writer.TryWrite(true);
            }
        });
        _ = RunAsync();
    }

    private async Task RunAsync()
    {
        _wake.Writer.TryWrite(true);
        var stopping = lifetime.ApplicationStopping;
        while (!stopping.IsCancellationRequested)
        {
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping))
            {
                timeout.CancelAfter(Resweep);
                try
                {
                    await _wake.Reader.ReadAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    if (stopping.IsCancellationRequested)
                    {
                        return;
                    }
                }
            }
            try
            {
                await ReconcileAsync();
            }
            catch (Exception error)
            {
                RoundFailed(logger, error);
            }
        }
    }

    private async Task ReconcileAsync()
    {
        var native = (await dataspace.SnapshotAsync(new Pattern(Ect.Capability))).Items
            .Where(c => c.Fields.TryGetProperty("topic", out _))
            .Select(c => EctJson.Read<CapabilityFields>(c.Fields))
            .OfType<CapabilityFields>()
            .Select(c => (c.ContainerId, c.Capability))
            .ToHashSet();
        var wanted = new Dictionary<string, string>();
        if (native.Count > 0 || _published.Count > 0)
        {
            foreach (var item in (await dataspace.SnapshotAsync(new Pattern(Ect.ComponentRequest))).Items)
            {
                // Once sent, a request stays with its container while assigned to it, even while the
                // container's capability is away (a new incarnation declaring it again): an
                // assignment that came and went would stop and relaunch the component.
                if (EctJson.Read<ComponentRequestFields>(item.Fields) is { AssignedContainerId: { } container } request
                    && (native.Contains((container, request.Capability)) || _published.ContainsKey(Topic(container, item.Id))))
                {
                    wanted[Topic(container, item.Id)] = Payload(item.Id, request);
                }
            }
        }
        foreach (var (topic, payload) in wanted)
        {
            if (!_published.TryGetValue(topic, out var was) || was != payload)
            {
                outbox.Publish(topic, Encoding.UTF8.GetBytes(payload), retain: true);
                _published[topic] = payload;
            }
        }
        foreach (var topic in _published.Keys.Where(t => !wanted.ContainsKey(t)).ToList())
        {
            outbox.Publish(topic, [], retain: true);
            _published.Remove(topic);
        }
    }

    /// What the container needs to launch: the capability, the component level to publish under,
    /// and the values to start from (the request's initial values, then its last values).
    private static string Payload(Guid id, ComponentRequestFields request) =>
        JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["capability"] = request.Capability,
            ["component"] = Ect.ComponentIdForRequest(id),
            ["values"] = request.StartValues(),
        });

    [LoggerMessage(1, LogLevel.Error, "A round of MQTT component requests failed; the next change or sweep tries again.", EventName = "NativeRequestsFailed")]
    private static partial void RoundFailed(ILogger logger, Exception error);
}
