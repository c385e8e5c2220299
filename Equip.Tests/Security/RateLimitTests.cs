using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Client;
using Equip.Protocol;
using Equip.Testing;
using Equip.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;

namespace Equip.Tests.Security;

/// Each key's requests and each connection's hub calls come out of a bucket of their own: beyond
/// it, 429 with Retry-After or the hub error rate-limited, while the others go on.
public sealed class RateLimitTests : IDisposable
{
    private readonly TestStore _store = TestStore.Sqlite()
        .With("Equip:RateLimits:RequestsPerSecond", "10").With("Equip:RateLimits:RequestBurst", "5")
        .With("Equip:RateLimits:HubCallsPerSecond", "10").With("Equip:RateLimits:HubCallBurst", "5")
        .With("Equip:Limits:MaxSubscriptionsPerConnection", "3");

    [Fact]
    public async Task AKeyBeyondItsRequestRateGets429WithRetryAfterAndOtherKeysGoOn()
    {
        using var server = new EquipServer(_store);
        using var admin = server.NewClient();
        var made = await admin.PostAsJsonAsync("/api/keys", new { name = "other" });
        var other = (await made.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString();

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 20; i++)
        {
            answers.Add(await admin.GetAsync("/api/items"));
        }

        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.True(refused.Count >= 10, $"{refused.Count} of 20 were refused");
        Assert.True(refused[0].Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal("application/problem+json", refused[0].Content.Headers.ContentType?.MediaType);
        using var device = server.NewClient(other);
        Assert.Equal(HttpStatusCode.OK, (await device.GetAsync("/api/items")).StatusCode);
        Assert.Empty(server.Logs.AtLeast(Microsoft.Extensions.Logging.LogLevel.Error));
        Assert.Single(server.Logs.Entries, e => e.EventName == "RateLimited"); // once a second at most, not once per refusal
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/items")).StatusCode);
    }

    [Fact]
    public async Task AConnectionBeyondItsCallRateIsSlowedToItWhileOthersGoOn()
    {
        using var server = new EquipServer(_store.With("Equip:RateLimits:RequestsPerSecond", "1000").With("Equip:RateLimits:RequestBurst", "1000"));
        var (flooding, _) = await HubClient.RegisterAsync(server.Address, "flood", "inc-a");
        await using var _ = flooding;
        var (quiet, _) = await HubClient.RegisterAsync(server.Address, "quiet", "inc-a");
        await using var __ = quiet;

        var started = Stopwatch.GetTimestamp();
        var flood = Task.WhenAll(Enumerable.Range(0, 25).Select(_ => flooding.InvokeAsync<WireItem?>(HubNames.Get, Guid.NewGuid())));
        var quietCall = Stopwatch.GetTimestamp();
        Assert.Null(await quiet.InvokeAsync<WireItem?>(HubNames.Get, Guid.NewGuid()));
        var quietTook = Stopwatch.GetElapsedTime(quietCall);
        await flood;

        // 5 at once, then 10 a second: the other 20 take about 2 s; none is refused.
        var took = Stopwatch.GetElapsedTime(started);
        Assert.True(took >= TimeSpan.FromSeconds(1.5), $"25 calls took {took}");
        Assert.True(quietTook < TimeSpan.FromSeconds(1), $"the quiet connection's call took {quietTook}");
        Assert.Equal(HubConnectionState.Connected, flooding.Connection.State);
        Assert.Empty(server.Logs.AtLeast(Microsoft.Extensions.Logging.LogLevel.Error));
    }

    [Fact]
    public async Task WithNoRoomToWaitACallBeyondTheRateIsRefusedAndTheConnectionStays()
    {
        using var server = new EquipServer(_store.With("Equip:RateLimits:RequestsPerSecond", "1000").With("Equip:RateLimits:RequestBurst", "1000")
            .With("Equip:RateLimits:HubCallQueue", "0"));
        var (flooding, _) = await HubClient.RegisterAsync(server.Address, "flood", "inc-a");
        await using var _ = flooding;

        var codes = new List<string?>();
        for (var i = 0; i < 20; i++)
        {
            try
            {
                await flooding.InvokeAsync<WireItem?>(HubNames.Get, Guid.NewGuid());
                codes.Add(null);
            }
            catch (Microsoft.AspNetCore.SignalR.HubException refused)
            {
                codes.Add(HubErrors.CodeOf(refused.Message));
                Assert.NotNull(HubErrors.RetryAfterOf(refused.Message));
            }
        }

        Assert.True(codes.Count(c => c == HubErrors.RateLimited) >= 10, string.Join(",", codes));
        Assert.Equal(HubConnectionState.Connected, flooding.Connection.State);
        Assert.Single(server.Logs.Entries, e => e.EventName == "HubRateLimited");
        Assert.Empty(server.Logs.AtLeast(Microsoft.Extensions.Logging.LogLevel.Error));
    }

    [Fact]
    public async Task EquipClientWaitsOutARateLimitRefusalAndLosesNoDurableWrite()
    {
        using var server = new EquipServer(_store.With("Equip:RateLimits:RequestsPerSecond", "1000").With("Equip:RateLimits:RequestBurst", "1000")
            .With("Equip:RateLimits:HubCallQueue", "0"));
        await using var device = Devices.Start(server.Address, "busy");

        var writes = Enumerable.Range(0, 30).Select(i => device.AddAsync(Devices.Thing($"thing {i}"))).ToList();
        var added = await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(30, added.Select(a => a.Id).Distinct().Count());
        using var admin = server.NewClient();
        Assert.Equal(30, (await admin.GetFromJsonAsync<JsonElement[]>("/api/items?type=demo.Thing&limit=100"))!.Length);
    }

    [Fact]
    public async Task AConnectionHoldsAtMostTheConfiguredSubscriptions()
    {
        using var server = new EquipServer(_store.With("Equip:RateLimits:Enabled", "false"));
        var (peer, _) = await HubClient.RegisterAsync(server.Address, "reader", "inc-a");
        await using var _ = peer;
        for (var i = 0; i < 3; i++)
        {
            await peer.InvokeAsync<SubscribeResponse>(HubNames.Subscribe, new SubscribeRequest { SubscriptionId = $"s{i}", Pattern = new WirePattern { Type = "*" } });
        }

        var refused = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() =>
            peer.InvokeAsync<SubscribeResponse>(HubNames.Subscribe, new SubscribeRequest { SubscriptionId = "s3", Pattern = new WirePattern { Type = "*" } }));
        Assert.Equal(HubErrors.LimitReached, HubErrors.CodeOf(refused.Message));
        Assert.True(await peer.InvokeAsync<bool>(HubNames.Unsubscribe, "s0"));
        await peer.InvokeAsync<SubscribeResponse>(HubNames.Subscribe, new SubscribeRequest { SubscriptionId = "s3", Pattern = new WirePattern { Type = "*" } });
    }

    public void Dispose() => _store.Dispose();
}
