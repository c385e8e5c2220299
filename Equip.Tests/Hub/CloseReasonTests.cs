using Equip.Protocol;
using Equip.Tests.Support;

namespace Equip.Tests.Hub;

/// A connection the server closes because another took the peer's place hears why, and that
/// reconnecting cannot help, in the Close message.
public sealed class CloseReasonTests : IDisposable
{
    private readonly TestStore _store = TestStore.Sqlite();
    private readonly EquipServer _server;

    public CloseReasonTests() => _server = new EquipServer(_store);

    public void Dispose()
    {
        _server.Dispose();
        _store.Dispose();
    }

    [Theory]
    [InlineData("inc-b", HubErrors.StaleIncarnation)]
    [InlineData("inc-a", HubErrors.Replaced)]
    public async Task AConnectionWhosePlaceIsTakenIsClosedWithTheReasonAndNoReconnect(string newcomer, string code)
    {
        await using var first = await RawHubSocket.ConnectAsync(_server.Address);
        var register = await first.InvokeAsync("Register", new { peerId = "lamp-1", incarnation = "inc-a", name = "" });
        await first.CompletionAsync(register);

        var (second, _) = await HubClient.RegisterAsync(_server.Address, "lamp-1", newcomer);
        await using var _ = second;
        var close = await first.ReceiveAsync();

        Assert.Equal(7, close.GetProperty("type").GetInt32());
        Assert.Equal(code, HubErrors.CodeOf(close.GetProperty("error").GetString()));
        Assert.False(close.TryGetProperty("allowReconnect", out var allow) && allow.GetBoolean()); // SignalR writes it only when true
    }
}
