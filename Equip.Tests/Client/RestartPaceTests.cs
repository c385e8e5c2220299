using System.Diagnostics;
using Equip.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Equip.Tests.Client;

/// While the server is restarting (nothing listens at its address, or it answers 503 because it
/// is stopping) a client retries at the short restart pace; any other failure backs off to the
/// full cap. Delays are drawn from the upper half of their window, so with the restart cap equal
/// to the first delay every attempt is at most that far apart.
public sealed class RestartPaceTests
{
    /// Four gaps between five failed attempts: at the restart pace each is a delay of 200-400 ms
    /// (and the attempt), so all four take well under 3 s; with the full backoff the delays are
    /// 200-400, 400-800, 800-1,600 and 1,600-3,200 ms, at least 3 s together, and the last two at
    /// least 800 and 1,600 ms (lower bounds a loaded machine cannot break: it only adds time).
    private static readonly TimeSpan RestartPaceBound = TimeSpan.FromSeconds(2.9);

    [Fact]
    public async Task AClientRetriesAClosedPortAtTheRestartPace()
    {
        var gaps = await GapsBetweenAttemptsAsync(Testing.PrivatePostgres.FreePort());
        Assert.True(Sum(gaps) < RestartPaceBound, Describe(gaps));
    }

    [Fact]
    public async Task AClientRetriesAServerAnswering503AtTheRestartPaceAndAServerAnswering500WithTheFullBackoff()
    {
        await using var stopping = await AnsweringAsync(StatusCodes.Status503ServiceUnavailable);
        await using var failing = await AnsweringAsync(StatusCodes.Status500InternalServerError);

        var restarting = await GapsBetweenAttemptsAsync(Port(stopping));
        Assert.True(Sum(restarting) < RestartPaceBound, Describe(restarting));
        var backingOff = await GapsBetweenAttemptsAsync(Port(failing));
        Assert.True(backingOff[2] >= TimeSpan.FromMilliseconds(790) && backingOff[3] >= TimeSpan.FromMilliseconds(1590), Describe(backingOff));
    }

    /// The times between the client's first five failed connection attempts (each failure is a
    /// Connecting change with its error).
    private static async Task<TimeSpan[]> GapsBetweenAttemptsAsync(int port)
    {
        await using var client = new EquipClient(new EquipClientOptions
        {
            Server = new Uri($"http://127.0.0.1:{port}/"),
            PeerId = "restart-pace",
            Key = Testing.TestKeys.Admin,
            InitialReconnectDelay = TimeSpan.FromMilliseconds(400),
            MaxReconnectDelay = TimeSpan.FromSeconds(5),
            RestartReconnectDelay = TimeSpan.FromMilliseconds(400),
        });
        var failures = new List<long>();
        var fifth = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.StateChanged += change =>
        {
            if (change is { State: EquipConnectionState.Connecting, Error: not null })
            {
                lock (failures)
                {
                    failures.Add(Stopwatch.GetTimestamp());
                    if (failures.Count == 5)
                    {
                        fifth.TrySetResult();
                    }
                }
            }
        };
        client.Start();
        await fifth.Task.WaitAsync(TimeSpan.FromSeconds(30));
        lock (failures)
        {
            return [.. failures.Take(5).Zip(failures.Skip(1).Take(4), (a, b) => Stopwatch.GetElapsedTime(a, b))];
        }
    }

    private static TimeSpan Sum(TimeSpan[] gaps) => gaps.Aggregate(TimeSpan.Zero, (a, b) => a + b);

    private static string Describe(TimeSpan[] gaps) => "gaps between attempts: " + string.Join(", ", gaps.Select(g => $"{g.TotalMilliseconds:F0} ms"));

    private static async Task<WebApplication> AnsweringAsync(int status)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(context =>
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        });
        await app.StartAsync();
        return app;
    }

    private static int Port(WebApplication app) => new Uri(app.Urls.First()).Port;
}
