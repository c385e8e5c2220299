using Microsoft.Extensions.Hosting;

namespace Equip.Infrastructure;

/// Runs TickAsync every interval. The timer starts with the service, before StartAsync returns
/// (ExecuteAsync may begin later on another thread), so time is measured from start-up; a tick
/// that throws is reported and the next one comes as usual.
internal abstract class PeriodicService(TimeSpan interval, TimeProvider time) : BackgroundService
{
    private PeriodicTimer? _timer;

    protected TimeProvider Time => time;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = new PeriodicTimer(interval, time);
        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _timer?.Dispose();
        base.Dispose();
    }

    protected abstract Task TickAsync(CancellationToken cancellationToken);

    protected abstract void OnTickFailed(Exception error);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (await _timer!.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await TickAsync(stoppingToken);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                OnTickFailed(error);
            }
        }
    }
}
