using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Protocol;
using Equip.Tests.Support;
using Microsoft.AspNetCore.SignalR;

namespace Equip.Tests.Security;

/// A server on SQLite for the security tests, with helpers to make device keys and to read
/// the code of a hub refusal.
public abstract class SecurityServer : IAsyncLifetime
{
    private TestStore? _store;
    private EquipServer? _server;

    protected EquipServer Server => _server!;

    protected TestStore Store => _store!;

    public virtual Task InitializeAsync()
    {
        _store = TestStore.Sqlite();
        _server = new EquipServer(_store);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _server?.Dispose();
        _store?.Dispose();
        return Task.CompletedTask;
    }

    /// Makes a device key through REST as the admin; returns its id and the key itself.
    protected async Task<(Guid Id, string Key)> MakeKeyAsync(string name, string[]? containerIds = null, string[]? peerIds = null)
    {
        using var admin = Server.NewClient();
        var response = await admin.PostAsJsonAsync("/api/keys", new { name, containerIds, peerIds });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (created.GetProperty("id").GetGuid(), created.GetProperty("key").GetString()!);
    }

    protected async Task RevokeAsync(Guid id)
    {
        using var admin = Server.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync($"/api/keys/{id}")).StatusCode);
    }

    /// The protocol's code of the hub error the call ends with.
    protected static async Task<string?> RefusalOf(Func<Task> call)
    {
        var refused = await Assert.ThrowsAsync<HubException>(call);
        return HubErrors.CodeOf(refused.Message);
    }

    protected static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
