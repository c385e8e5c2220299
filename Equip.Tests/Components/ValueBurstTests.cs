using System.Net.Http.Json;
using System.Text.Json;
using Equip.Client.Components;
using Equip.Tests.Support;

namespace Equip.Tests.Components;

/// Values a component sets faster than they can go (Equip.Client's ValuesQueuedPerItem, 4 by
/// default, and the server's Equip:Values:QueuedPerItem): each waits its turn up to the bound
/// instead of the latest taking its place, so a link's destination that keeps up hears every one.
public sealed class ValueBurstTests : IAsyncLifetime
{
    private readonly TestStore _store = TestStore.Sqlite();
    private readonly List<IAsyncDisposable> _cleanup = [];
    private EquipServer _server = null!;
    private HttpClient _http = null!;

    public Task InitializeAsync()
    {
        _server = new EquipServer(_store);
        _http = _server.NewClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var disposable in Enumerable.Reverse(_cleanup))
        {
            await disposable.DisposeAsync();
        }
        _http.Dispose();
        _server.Dispose();
        _store.Dispose();
    }

    [Fact]
    public async Task FourValuesSetAtOnceGoAlongALinkAndTheDestinationHearsEachInOrder()
    {
        var source = await LaunchedPanelAsync("box-a");
        var destination = await LaunchedPanelAsync("box-b");
        var link = await _http.PostAsJsonAsync("/api/links", new
        {
            source = new { componentRequestId = Guid.Parse(source.ComponentId), property = "level" },
            destination = new { componentRequestId = Guid.Parse(destination.ComponentId), property = "level" },
        });
        link.EnsureSuccessStatusCode();
        await Wait.UntilAsync(() => Task.FromResult(destination.Level.Value == 0.5), "the link carries the first value");
        source.Level.Value = 0.25;
        await Wait.UntilAsync(() => Task.FromResult(destination.Level.Value == 0.25), "the link carries a value set");

        var heard = new List<double>();
        destination.Level.Changed += value =>
        {
            lock (heard)
            {
                heard.Add(value);
            }
        };
        foreach (var value in new[] { 1.0, 2.0, 3.0, 4.0 })
        {
            source.Level.Value = value; // faster than a frame: the four wait together
        }

        await Wait.UntilAsync(() => Task.FromResult(destination.Level.Value == 4.0), "the destination follows the source");
        lock (heard)
        {
            Assert.Equal([1.0, 2.0, 3.0, 4.0], heard);
        }
    }

    private async Task<Panel> LaunchedPanelAsync(string containerId)
    {
        var client = Devices.Start(_server.Address, containerId);
        _cleanup.Add(client);
        var container = new ComponentContainer(client, containerId);
        _cleanup.Add(container);
        container.Export<Panel>("Panel");
        await container.StartAsync().WaitAsync(Wait.Timeout);
        var response = await _http.PostAsJsonAsync("/api/component-requests", new { capability = "Panel", containerId });
        response.EnsureSuccessStatusCode();
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid().ToString();
        await Wait.UntilAsync(() => Task.FromResult(container.Components.ContainsKey(id)), $"a Panel launches on {containerId}");
        return Assert.IsType<Panel>(container.Components[id]);
    }
}
