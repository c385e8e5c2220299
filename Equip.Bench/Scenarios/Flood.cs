using System.Diagnostics;
using System.Text.Json;
using Equip.Protocol;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Equip.Bench.Scenarios;

/// Whether one device flooding the hub starves the others: a second device's link hops, first
/// alone, then while a misbehaving device sends value updates as fast as it can (Callers calls
/// outstanding at all times, refusals ignored). Run with the rate limits on and off.
internal static class Flood
{
    private const int Callers = 256;

    public static async Task<object> RunAsync(BenchServer server, BenchOptions options, bool rateLimits)
    {
        await using var probe = await HopProbe.StartAsync(server.Address);
        var quiet = await probe.MeasureAsync(options);

        await using var flooder = await RawPeer.ConnectAsync(server.Address, $"bench-flood-{Guid.NewGuid():N}", TimeSpan.FromSeconds(3));
        var item = await flooder.InvokeAsync<WireItem>(HubNames.Add, new AddRequest { Type = "bench.Flood", Fields = JsonSerializer.SerializeToElement(new { v = 0 }) });
        using var stop = new CancellationTokenSource();
        long accepted = 0, refused = 0;
        var started = Stopwatch.GetTimestamp();
        var flood = Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                try
                {
                    var fields = JsonSerializer.SerializeToElement(new { v = n, caller });
                    await flooder.InvokeAsync<WireItem>(HubNames.Update, new UpdateRequest { Id = item.Id, Fields = fields, Unreliable = true }, stop.Token);
                    Interlocked.Increment(ref accepted);
                }
                catch (HubException)
                {
                    Interlocked.Increment(ref refused);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        })).ToList();
        await Task.Delay(TimeSpan.FromSeconds(1)); // the flood at its height before the hops
        var flooded = await probe.MeasureAsync(options);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await stop.CancelAsync();
        await Task.WhenAll(flood);
        return new
        {
            scenario = "flood",
            system = "equip",
            store = server.Store,
            rateLimits,
            hops = flooded.Count,
            quietP50Us = quiet.P50Us,
            quietP99Us = quiet.P99Us,
            floodedP50Us = flooded.P50Us,
            floodedP99Us = flooded.P99Us,
            floodAcceptedPerSecond = Math.Round(accepted / seconds),
            floodRefusedPerSecond = Math.Round(refused / seconds),
        };
    }
}
