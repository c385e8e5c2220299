using System.Threading.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Equip.Mqtt;

/// Each MQTT client's messages come out of a token bucket of its own (Equip:Mqtt:MessagesPerSecond,
/// bursts up to MessageBurst), as a hub connection's values do: a message beyond it waits for its
/// token, and MQTTnet reads nothing more from that client meanwhile, so a device that floods is
/// slowed to its rate (what it sends waits in its socket) and is never refused. Off when
/// Equip:RateLimits:Enabled is false.
internal sealed class MqttRateLimits : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _messages;

    public MqttRateLimits(IOptions<MqttOptions> options, IConfiguration configuration)
    {
        var limits = options.Value;
        _messages = configuration.GetValue("Equip:RateLimits:Enabled", true)
            ? PartitionedRateLimiter.Create<string, string>(clientId => RateLimitPartition.GetTokenBucketLimiter(clientId, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = limits.MessageBurst,
                TokensPerPeriod = Math.Max(1, limits.MessagesPerSecond / 10),
                ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
                QueueLimit = limits.MessageBurst,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            }))
            : null;
    }

    /// Waits until the client may send one more message.
    public async ValueTask WaitAsync(string clientId, CancellationToken cancellationToken)
    {
        if (_messages is null)
        {
            return;
        }
        while (true)
        {
            using var lease = await _messages.AcquireAsync(clientId, 1, cancellationToken);
            if (lease.IsAcquired)
            {
                return;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken); // the queue was full: try again
        }
    }

    public void Dispose() => _messages?.Dispose();
}
