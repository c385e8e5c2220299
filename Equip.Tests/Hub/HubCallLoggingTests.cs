using System.Text.Json;
using Equip.Protocol;
using Equip.Tests.Support;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Equip.Tests.Hub;

/// How the server logs what goes wrong with hub calls: a client's mistake is a warning with its
/// code, a server failure an error; a write the server started survives its connection's close.
public sealed class HubCallLoggingTests : IDisposable
{
    private readonly TestStore _store = TestStore.Sqlite();
    private readonly EquipServer _server;

    public HubCallLoggingTests() => _server = new EquipServer(_store);

    public void Dispose()
    {
        _server.Dispose();
        _store.Dispose();
    }

    private static AddRequest Thing(Guid? id = null) =>
        new() { Id = id, Type = "demo.Thing", Fields = JsonDocument.Parse("""{"name":"x"}""").RootElement.Clone() };

    [Fact]
    public async Task RefusedCallsAreWarningsWithTheirCodeAndANullArgumentIsInvalid()
    {
        var (device, _) = await HubClient.RegisterAsync(_server.Address, "lamp-1", "inc-a");
        await using var _ = device;
        await using var unregistered = await HubClient.ConnectAsync(_server.Address);

        var errors = new List<HubException>
        {
            await Assert.ThrowsAsync<HubException>(() => device.InvokeAsync<WireItem>("Add", null)),
            await Assert.ThrowsAsync<HubException>(() => device.InvokeAsync<WireItem>("Update", new UpdateRequest { Id = Guid.NewGuid(), Fields = Thing().Fields!.Value })),
            await Assert.ThrowsAsync<HubException>(() => unregistered.InvokeAsync<WireItem>("Get", Guid.NewGuid())),
        };
        var (replacement, _) = await HubClient.RegisterAsync(_server.Address, "lamp-1", "inc-b");
        await using var __ = replacement;
        var fenced = await HubClient.ConnectAsync(_server.Address);
        await using var ___ = fenced;
        var stale = await Assert.ThrowsAsync<HubException>(() => fenced.InvokeAsync<RegisterResponse>("Register", new RegisterRequest { PeerId = "lamp-1", Incarnation = "inc-a" }));

        Assert.Equal(new string?[] { HubErrors.Invalid, HubErrors.NotFound, HubErrors.NotRegistered, HubErrors.StaleIncarnation },
            errors.Append(stale).Select(e => HubErrors.CodeOf(e.Message)));
        Assert.Empty(_server.Logs.AtLeast(LogLevel.Error));
        var refused = _server.Logs.Entries.Where(e => e.EventName == "CallRefused").Select(e => e.Message).ToList();
        Assert.Equal(4, refused.Count);
        Assert.Contains(refused, m => m.Contains("'Add' (invalid)", StringComparison.Ordinal));
        Assert.Contains(refused, m => m.Contains("'Register' (stale-incarnation)", StringComparison.Ordinal));
        Assert.All(_server.Logs.Entries, e => Assert.Null(e.Exception));
    }

    [Fact]
    public async Task AServerFailureIsStillAnErrorWithItsException()
    {
        var (device, _) = await HubClient.RegisterAsync(_server.Address, "lamp-1", "inc-a");
        await using var _ = device;
        await using (var sabotage = new SqliteConnection($"Data Source={Path.Combine(_store.DataDirectory, "equip.db")}"))
        {
            await sabotage.OpenAsync();
            await using var drop = sabotage.CreateCommand();
            drop.CommandText = "DROP TABLE change_log";
            await drop.ExecuteNonQueryAsync();
        }

        var failure = await Assert.ThrowsAsync<HubException>(() => device.InvokeAsync<WireItem>("Add", Thing()));

        Assert.Null(HubErrors.CodeOf(failure.Message));
        var logged = Assert.Single(_server.Logs.Entries, e => e.EventName == "CallFailed");
        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.NotNull(logged.Exception);
    }

    /// The server closes a connection (a newer one of the peer replaces it) while the client has
    /// writes outstanding: the ones the server started are applied, in order, the rest are not, and
    /// nothing is logged as a failure.
    [Fact]
    public async Task WritesOutstandingWhenTheServerClosesTheConnectionAreAppliedInOrderOrNotAtAll()
    {
        var (device, _) = await HubClient.RegisterAsync(_server.Address, "lamp-1", "inc-a");
        var ids = Enumerable.Range(0, 60).Select(_ => Guid.NewGuid()).ToList();
        var sent = ids.Select(id => device.Connection.InvokeAsync<WireItem>("Add", Thing(id))).ToList();
        await Task.WhenAny(sent[5], Task.Delay(Wait.Timeout));
        var (replacement, _) = await HubClient.RegisterAsync(_server.Address, "lamp-1", "inc-a");
        await using var _ = replacement;
        await Task.WhenAll(sent.Select(s => s.ContinueWith(_ => { }))).WaitAsync(Wait.Timeout);
        await device.DisposeAsync();

        var stored = new List<bool>();
        foreach (var id in ids)
        {
            stored.Add(await replacement.InvokeAsync<WireItem?>("Get", id) is not null);
        }
        var applied = stored.TakeWhile(s => s).Count();
        Assert.True(applied >= 6, $"only {applied} applied");
        Assert.DoesNotContain(true, stored.Skip(applied)); // a prefix: in order, none after a gap
        Assert.Empty(_server.Logs.AtLeast(LogLevel.Error));
    }
}
