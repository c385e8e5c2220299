using System.Globalization;
using Equip.Client.Components;

namespace Equip.Device.Capabilities;

/// Publishes the time (ISO 8601, UTC) and a tick count every intervalMs milliseconds.
public sealed class Clock : Component
{
    private const long ShortestInterval = 10;
    private PeriodicTimer? _timer;
    private Task _ticking = Task.CompletedTask;

    public Clock()
    {
        Time = Property("time", "", readOnly: true);
        Ticks = Property("ticks", 0L, readOnly: true);
        IntervalMs = Property("intervalMs", 1000L);
        IntervalMs.Changed += ChangeInterval;
    }

    public ComponentProperty<string> Time { get; }

    public ComponentProperty<long> Ticks { get; }

    public ComponentProperty<long> IntervalMs { get; }

    protected override Task StartAsync(CancellationToken cancellationToken)
    {
        IntervalMs.Value = Math.Max(ShortestInterval, IntervalMs.Value);
        _timer = new PeriodicTimer(TimeSpan.FromMilliseconds(IntervalMs.Value));
        Time.Value = Now();
        _ticking = TickAsync(_timer, cancellationToken);
        return Task.CompletedTask;
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        _timer?.Dispose();
        await _ticking;
    }

    private async Task TickAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                Time.Value = Now();
                Ticks.Value++;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void ChangeInterval(long milliseconds)
    {
        if (milliseconds < ShortestInterval)
        {
            IntervalMs.Value = ShortestInterval;
        }
        if (_timer is not null)
        {
            _timer.Period = TimeSpan.FromMilliseconds(IntervalMs.Value);
        }
    }

    private static string Now() => DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
