using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Client;
using Equip.Protocol;
using Equip.Scenarios.Harness;

namespace Equip.Scenarios.Scenarios;

/// Many devices (cheap in-process peers) reconnect at the same moment after a server restart,
/// each re-asserting its items and re-subscribing. Everyone must be back with exactly their items,
/// no one fenced, and the simulators' links must flow while the storm is absorbed.
public sealed class ReconnectStorm : Scenario
{
    private const string ItemType = "storm.Item";

    public override string Name => "reconnect-storm";

    public override string Description => "many peers reconnect at once after a server restart";

    protected override async Task RunAsync(Installation installation, ScenarioReport report)
    {
        var peers = installation.Settings.StormPeers;
        await installation.StartServerAsync();
        var lan = installation.AddSite("lan");
        var crowd = installation.AddSite("crowd");
        installation.StartSimulator(lan, "sim-a");
        installation.StartSimulator(lan, "sim-b");
        var wiring = await Wiring.RingAsync(installation, "sim-a", "sim-b");
        await installation.PostAsync("/api/items", new { type = "storm.Beacon", fields = new { name = "beacon" } });

        var clients = Enumerable.Range(0, peers).Select(i => installation.StartPeer(crowd, $"storm-{i:D4}")).ToList();
        var replicas = clients.Select(c => c.Subscribe(new WirePattern { Type = "storm.Beacon" })).ToList();
        await Task.WhenAll(clients.Select(async (client, i) =>
        {
            await client.AddAsync(Item(i, "one"));
            await client.AddAsync(Item(i, "two"));
        })).WaitAsync(installation.Settings.Deadline * 2);
        await installation.UntilRunningAsync([.. wiring.Requests]);
        await installation.UntilLinksFlowAsync(wiring.Links, Now());
        report.Require(await CountAsync(installation) == 2 * peers, $"{2 * peers} items before the restart");

        // Connection attempts that fail once the server is back: churn (timeouts, aborted
        // connections) is what turns a storm into a collapse.
        var serverUp = false;
        var failedAttempts = new ConcurrentDictionary<string, int>();
        foreach (var client in clients)
        {
            client.StateChanged += change =>
            {
                if (change is { State: EquipConnectionState.Connecting, Error: { } error } && Volatile.Read(ref serverUp))
                {
                    failedAttempts.AddOrUpdate(error.GetType().Name, 1, (_, n) => n + 1);
                }
            };
        }
        await installation.KillServerAsync();
        await Task.Delay(installation.Settings.DeviceReconnectCap);
        await installation.StartServerAsync();
        var up = Now();
        Volatile.Write(ref serverUp, true);

        var links = await installation.UntilLinksFlowAsync(wiring.Links, up, installation.Settings.Deadline * 2);
        report.Measured($"links flow while {peers} peers reconnect", links);
        await MeasuredSinceReconnectedAsync(report, installation.Simulators, up, links);
        await installation.UntilAsync(() => Task.FromResult(clients.All(c => c.State == EquipConnectionState.Connected)), $"all {peers} peers are connected", installation.Settings.Deadline * 2);
        report.Measured($"{peers} peers connected after the server is back", Since(up));
        report.Checked($"{failedAttempts.Values.Sum()} connection attempts failed after the server was back ({string.Join(", ", failedAttempts.Select(f => $"{f.Value} {f.Key}"))})");
        await installation.UntilAsync(async () => await CountAsync(installation) == 2 * peers
            && (await installation.ListAsync("/api/peers")).Count(p => p.GetProperty("state").GetString() == "connected") >= peers + 2,
            "every peer's items and session are back", installation.Settings.Deadline * 2);
        report.Measured($"{peers} peers' sessions and {2 * peers} items back after the server is back", Since(up));
        report.Require(replicas.All(r => r.Items.Count == 1), "every replica holds the beacon");
        report.Require(clients.All(c => c.State == EquipConnectionState.Connected), "no peer fenced");
        // After the grace period nothing more is removed: every item was re-asserted.
        await Task.Delay(installation.Settings.DisconnectGrace + TimeSpan.FromSeconds(1));
        report.Require(await CountAsync(installation) == 2 * peers, $"still {2 * peers} items after the grace period");
    }

    private static AddRequest Item(int peer, string name) =>
        new() { Type = ItemType, Fields = JsonSerializer.SerializeToElement(new { peer, name }), ProcessBound = true };

    private static async Task<int> CountAsync(Installation installation)
    {
        var count = 0;
        Guid? after = null;
        while (true)
        {
            var page = await installation.Http.GetFromJsonAsync<JsonElement[]>($"/api/items?type={ItemType}&limit=1000{(after is { } a ? $"&after={a}" : "")}") ?? [];
            count += page.Length;
            if (page.Length < 1000)
            {
                return count;
            }
            after = page[^1].GetProperty("id").GetGuid();
        }
    }
}
