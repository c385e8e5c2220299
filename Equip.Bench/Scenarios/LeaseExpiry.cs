using Equip.Testing;
using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Client;
using Equip.Protocol;

namespace Equip.Bench.Scenarios;

/// Items on short leases, never renewed: the time from each item's deadline (the leaseExpiresAt
/// the server answered) until a subscriber on another connection has its delete event.
internal static class LeaseExpiry
{
    public static async Task<object> RunAsync(BenchServer server, int items = 100, double leaseSeconds = 2)
    {
        var type = $"bench.Lease{Guid.NewGuid():N}"[..24];
        await using var subscriber = new EquipClient(new EquipClientOptions { Server = server.Address, Key = BenchKey.Value, PeerId = $"bench-{type}", UseMessagePack = true });
        subscriber.Start();
        var replica = subscriber.Subscribe(new WirePattern { Type = type });
        var deleted = new ConcurrentDictionary<Guid, DateTimeOffset>();
        replica.Changed += change =>
        {
            if (change is { Kind: ReplicaChangeKind.Removed, Reason: "leaseExpired" })
            {
                deleted.TryAdd(change.Item.Id, DateTimeOffset.UtcNow);
            }
        };
        await replica.WaitUntilAsync(r => r.HasSnapshot).WaitAsync(TimeSpan.FromSeconds(30));

        using var http = TestHttp.Client(server.Address, TimeSpan.FromSeconds(100), BenchKey.Value);
        var deadlines = await Task.WhenAll(Enumerable.Range(0, items).Select(async n =>
        {
            using var response = await http.PostAsJsonAsync("/api/items", new { type, fields = new { n }, leaseSeconds });
            response.EnsureSuccessStatusCode();
            var item = await response.Content.ReadFromJsonAsync<JsonElement>();
            return (Id: item.GetProperty("id").GetGuid(), Deadline: item.GetProperty("leaseExpiresAt").GetDateTimeOffset());
        }));
        await Installation.UntilAsync(() => deleted.Count == items, $"all {items} lease deletes arrived", TimeSpan.FromSeconds(leaseSeconds + 30));
        var late = new Latencies([.. deadlines.Select(d => (deleted[d.Id] - d.Deadline).TotalMicroseconds)]);
        return new
        {
            scenario = "lease-expiry",
            system = "equip",
            store = server.Store,
            items,
            leaseSeconds,
            p50AfterDeadlineMs = Math.Round(late.P50Us / 1000, 1),
            allDeliveredAfterDeadlineMs = Math.Round(late.MaxUs / 1000, 1),
        };
    }
}
