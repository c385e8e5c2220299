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
    private static readonly TimeSpan Watched = TimeSpan.FromSeconds(3.2);

    [Fact]
    public async Task AClientRetriesAClosedPortAtTheRestartPace()
    {
        Assert.InRange(await AttemptsAgainstAsync(Testing.PrivatePostgres.FreePort()), 7, 100);
    }

    [Fact]
    public async Task AClientRetriesAServerAnswering503AtTheRestartPaceAndAServerAnswering500WithTheFullBackoff()
    {
        await using var stopping = await AnsweringAsync(StatusCodes.Status503ServiceUnavailable);
        await using var failing = await AnsweringAsync(StatusCodes.Status500InternalServerError);

        Assert.InRange(await AttemptsAgainstAsync(Port(stopping)), 7, 100);
        // 200-400, 400-800, 800-1,600, 1,600-3,200 ms apart: at most five attempts in 3.2 s.
        Assert.InRange(await AttemptsAgainstAsync(Port(failing)), 2, 5);
    }

    /// Connection attempts the client makes in the watched time (each failure is a Connecting change).
    private static async Task<int> AttemptsAgainstAsync(int port)
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
        var failures = 0;
        client.StateChanged += change =>
        {
            if (change is { State: EquipConnectionState.Connecting, Error: not null })
            {
                Interlocked.Increment(ref failures);
            }
        };
        client.Start();
        await Task.Delay(Watched);
        return Volatile.Read(ref failures);
    }

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
