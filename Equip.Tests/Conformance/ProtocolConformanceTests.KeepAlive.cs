using System.Diagnostics;
using Equip.Protocol;
using Equip.Tests.Support;

namespace Equip.Tests.Conformance;

/// docs/protocol.md, "Keep-alive and timeouts": the server pings a quiet connection and closes one
/// from which nothing arrived for ClientTimeout, always with the same Close, whether the client
/// never pinged or pinged and then fell silent.
public abstract partial class ProtocolConformanceTests
{
    [Fact]
    public async Task TheServerPingsAQuietConnectionAndClosesOneThatSendsNothing()
    {
        var hub = await ConnectAsync();
        var quiet = Stopwatch.GetTimestamp();

        var close = await hub.UntilClosedAsync(TimeSpan.FromSeconds(ConformanceServer.ClientTimeoutSeconds * 3));
        var closedAfter = Stopwatch.GetElapsedTime(quiet);

        AssertClientTimeoutClose(close);
        Assert.Null(await hub.UntilClosedAsync(Wait.Timeout)); // then the transport closes
        Assert.True(hub.IsClosed);
        // Not before the timeout; after it within the liveness sweep's step, with room for a
        // machine busy starting the other tests' servers (2 cores).
        Assert.InRange(closedAfter.TotalSeconds, ConformanceServer.ClientTimeoutSeconds * 0.9, ConformanceServer.ClientTimeoutSeconds * 2.5);
        var pings = hub.Pings;
        Assert.NotEmpty(pings);
        // SignalR looks for connections due a ping about once a second, whatever the interval.
        var firstPing = Stopwatch.GetElapsedTime(quiet, pings[0]).TotalSeconds;
        Assert.True(firstPing < ConformanceServer.KeepAliveSeconds + 2.5, $"the first ping came after {firstPing:0.00} s");
    }

    [Fact]
    public async Task AConnectionThatPingedAndFellSilentIsClosedTheSameWay()
    {
        var (hub, _) = await RegisteredAsync();
        for (var i = 0; i < 3; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(ConformanceServer.KeepAliveSeconds));
            await hub.SendPingAsync();
        }
        var silent = Stopwatch.GetTimestamp(); // the last byte sent

        var close = await hub.UntilClosedAsync(TimeSpan.FromSeconds(ConformanceServer.ClientTimeoutSeconds * 3));

        AssertClientTimeoutClose(close);
        Assert.InRange(Stopwatch.GetElapsedTime(silent).TotalSeconds, ConformanceServer.ClientTimeoutSeconds * 0.9, ConformanceServer.ClientTimeoutSeconds * 2.5);
        Assert.Null(await hub.UntilClosedAsync(Wait.Timeout));
    }

    [Fact]
    public async Task AConnectionThatPingsStaysOpenPastTheClientTimeout()
    {
        var (hub, _) = await RegisteredAsync();
        var until = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(until).TotalSeconds < ConformanceServer.ClientTimeoutSeconds * 2)
        {
            await hub.SendPingAsync();
            await Task.Delay(TimeSpan.FromSeconds(ConformanceServer.KeepAliveSeconds));
        }

        Assert.False(hub.IsClosed);
        Assert.NotNull(await hub.ResultAsync("Add", Thing("alive")));
    }

    private static void AssertClientTimeoutClose(WireMessage? close)
    {
        Assert.NotNull(close); // a Close that says why, before the transport closes
        Assert.Equal(HubErrors.ClientTimeout, HubErrors.CodeOf(close.Error));
        Assert.True(close.AllowReconnect);
    }
}
