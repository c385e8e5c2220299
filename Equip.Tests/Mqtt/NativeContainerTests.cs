using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Testing;
using Equip.Tests.Security;
using Equip.Tests.Support;
using MQTTnet;

namespace Equip.Tests.Mqtt;

/// Firmware of one's own as an Equip container over MQTT (docs/mqtt.md, Firmware of your own): an
/// MQTTnet client, with a device key bound to its container, declares a capability, is sent the
/// component requests assigned to it as retained messages, launches their components, publishes
/// their values and receives the values written into them on `/set`.
public sealed class NativeContainerTests : SecurityServer
{
    private const string Lamp = """
        {"properties":[{"name":"on","type":"boolean","readOnly":false,"default":false},
                       {"name":"watts","type":"number","readOnly":true,"default":0}]}
        """;

    [Fact]
    public async Task ComponentRequestsLaunchOnAnMqttContainer()
    {
        var (_, key) = await MakeKeyAsync("lamp firmware", containerIds: ["lamp-1"]);
        await using var lamp = await MqttTestClient.ConnectAsync(Server.MqttPort, "lamp-1", key);
        await lamp.SubscribeAsync("equip/lamp-1/$requests/+");
        await lamp.SubscribeAsync("equip/lamp-1/+/+/set");
        Assert.True((await lamp.PublishAsync("equip/lamp-1/$capabilities/Lamp", Lamp, retain: true)).IsSuccess);
        Assert.False((await lamp.PublishAsync("equip/lamp-2/$capabilities/Lamp", Lamp)).IsSuccess); // not its container

        using var admin = Server.NewClient();
        var created = await admin.PostAsJsonAsync("/api/component-requests", new { capability = "Lamp", containerId = "lamp-1", initialValues = new { on = true } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var requestId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var (payload, _) = await lamp.NextAsync($"equip/lamp-1/$requests/{requestId}");
        var request = JsonDocument.Parse(payload).RootElement;
        Assert.Equal("Lamp", request.GetProperty("capability").GetString());
        Assert.Equal(requestId.ToString(), request.GetProperty("component").GetString());
        Assert.True(request.GetProperty("values").GetProperty("on").GetBoolean());

        // The firmware launches it: declares the component, then reports a value.
        Assert.True((await lamp.PublishAsync($"equip/lamp-1/{requestId}/$component", """{"capability":"Lamp","name":"Desk lamp"}""")).IsSuccess);
        Assert.True((await lamp.PublishAsync($"equip/lamp-1/{requestId}/watts", "4.5")).IsSuccess);
        await ComponentRequests.RunningAsync(admin, requestId);
        var component = await ComponentAsync(admin, requestId.ToString(), c => ListedComponent.Value(c, "watts").ValueKind == JsonValueKind.Number);
        Assert.Equal("lamp-1", component.GetProperty("containerId").GetString());
        Assert.Equal("Desk lamp", component.GetProperty("name").GetString());
        Assert.True(ListedComponent.Value(component, "on").GetBoolean()); // the request's initial value
        Assert.Equal(4.5, ListedComponent.Value(component, "watts").GetDouble());

        var set = await admin.PutAsJsonAsync($"/api/components/{requestId}/properties/on", new { value = false });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal("false", (await lamp.NextAsync($"equip/lamp-1/{requestId}/on/set")).Payload);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PutAsJsonAsync($"/api/components/{requestId}/properties/watts", new { value = 9 })).StatusCode);

        // Deleted: the retained request is cleared, the firmware stops the component.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/component-requests/{requestId}")).StatusCode);
        // (the request's last values changed with the set above: it was sent again before, with them)
        while ((await lamp.NextAsync($"equip/lamp-1/$requests/{requestId}")).Payload is { Length: > 0 } again)
        {
            Assert.False(JsonDocument.Parse(again).RootElement.GetProperty("values").GetProperty("on").GetBoolean());
        }
        await lamp.PublishAsync($"equip/lamp-1/{requestId}/$component", "");
        await Wait.UntilAsync(async () => !(await admin.GetFromJsonAsync<JsonElement>("/api/components")).EnumerateArray()
            .Any(c => c.GetProperty("id").GetString() == requestId.ToString()), "the component gone");

        // A new subscriber is not sent the cleared request.
        await using var console = await MqttTestClient.ConnectAsync(Server.MqttPort, "console");
        await console.SubscribeAsync("equip/#");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => console.NextAsync($"equip/lamp-1/$requests/{requestId}", TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task AComponentTheContainerMakesOnItsOwnIsItsNameAndAValueOfTheWrongTypeIsNotApplied()
    {
        await using var lamp = await MqttTestClient.ConnectAsync(Server.MqttPort, "lamp-3");
        await lamp.SubscribeAsync("equip/lamp-3/+/+/set");
        await lamp.PublishAsync("equip/lamp-3/$capabilities/Lamp", Lamp);
        await lamp.PublishAsync("equip/lamp-3/hall/$component", """{"capability":"Lamp","values":{"on":true,"watts":"12"}}""");
        using var admin = Server.NewClient();
        var hall = await ComponentAsync(admin, "lamp-3/hall", c => ListedComponent.Value(c, "watts").ValueKind == JsonValueKind.Number);
        Assert.Equal(12, ListedComponent.Value(hall, "watts").GetDouble());
        Assert.Equal(JsonValueKind.Null, hall.GetProperty("componentRequestId").ValueKind);

        await lamp.PublishAsync("equip/lamp-3/hall/on", "not a boolean");
        await lamp.PublishAsync("equip/lamp-3/hall/watts", "3");
        hall = await ComponentAsync(admin, "lamp-3/hall", c => ListedComponent.Number(c, "watts") == 3);
        Assert.True(ListedComponent.Value(hall, "on").GetBoolean());

        // Gone with its client: a DISCONNECT ends the session and its items.
        await lamp.Client.DisconnectAsync();
        await Wait.UntilAsync(async () => !(await admin.GetFromJsonAsync<JsonElement>("/api/components")).EnumerateArray()
            .Any(c => c.GetProperty("id").GetString() == "lamp-3/hall"), "the component gone");
    }

    /// The example firmware of docs/mqtt.md (paho-mqtt, Debian's python3-paho-mqtt) does what the
    /// docs say: launches a requested Lamp, applies a value set through REST, stops when the
    /// request is deleted, and its items go when it stops (SIGTERM: a DISCONNECT).
    [Fact]
    public async Task TheDocsExampleFirmwareRunsARequestedLamp()
    {
        var (_, key) = await MakeKeyAsync("lamp firmware", containerIds: ["lamp-py"]);
        await using var firmware = ScriptProcess.Start("/usr/bin/python3",
            Path.Combine(BuiltProjects.Root(), "docs", "examples", "mqtt_lamp.py"), "--port", $"{Server.MqttPort}", "--key", key, "--id", "lamp-py");
        using var admin = Server.NewClient();
        await Wait.UntilAsync(async () => (await admin.GetFromJsonAsync<JsonElement>("/api/items?type=ect.Capability")).EnumerateArray()
            .Any(c => c.GetProperty("fields").GetProperty("containerId").GetString() == "lamp-py"), "the Lamp capability declared");
        var created = await admin.PostAsJsonAsync("/api/component-requests", new { capability = "Lamp", containerId = "lamp-py", initialValues = new { on = true } });
        var requestId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await ComponentRequests.RunningAsync(admin, requestId);
        await ComponentAsync(admin, requestId.ToString(), c => ListedComponent.Value(c, "on").ValueKind == JsonValueKind.True && ListedComponent.Number(c, "watts") == 9.5);

        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/components/{requestId}/properties/on", new { value = false })).StatusCode);
        await ComponentAsync(admin, requestId.ToString(), c => ListedComponent.Number(c, "watts") == 0); // applied by the firmware

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/component-requests/{requestId}")).StatusCode);
        await Wait.UntilAsync(async () => !(await admin.GetFromJsonAsync<JsonElement>("/api/components")).EnumerateArray()
            .Any(c => c.GetProperty("id").GetString() == requestId.ToString()), "the component stopped");
        await firmware.TerminateAsync();
        await Wait.UntilAsync(async () => !(await admin.GetFromJsonAsync<JsonElement>("/api/items?type=ect.Capability")).EnumerateArray()
            .Any(c => c.GetProperty("fields").GetProperty("containerId").GetString() == "lamp-py"), "its capability gone with its session");
    }

    [Fact]
    public async Task AfterAServerKillTheContainerIsSentItsRequestsAgainAndRelaunchesThem()
    {
        using var store = TestStore.Sqlite();
        Guid requestId;
        int mqttPort;
        await using (var server = await ServerProcess.StartAsync(store.Settings, store.DataDirectory))
        {
            mqttPort = server.MqttPort;
            using var http = TestHttp.Client(server.Address, Wait.Timeout);
            await using var lamp = await DeclaredAsync(mqttPort, "lamp-5");
            var created = await http.PostAsJsonAsync("/api/component-requests", new { capability = "Lamp", containerId = "lamp-5" });
            requestId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            await lamp.NextAsync($"equip/lamp-5/$requests/{requestId}");
            await lamp.PublishAsync($"equip/lamp-5/{requestId}/$component", """{"capability":"Lamp"}""");
            await ComponentRequests.RunningAsync(http, requestId);
            await server.KillAsync();
        }

        await using var restarted = await ServerProcess.StartAsync(store.Settings, store.DataDirectory, mqttPort: mqttPort);
        using var client = TestHttp.Client(restarted.Address, Wait.Timeout);
        await using var back = await DeclaredAsync(mqttPort, "lamp-5"); // its session is new: it declares itself again
        var again = (await back.NextAsync($"equip/lamp-5/$requests/{requestId}")).Payload; // retained, kept in the store
        Assert.Equal(requestId.ToString(), JsonDocument.Parse(again).RootElement.GetProperty("component").GetString());
        await back.PublishAsync($"equip/lamp-5/{requestId}/$component", """{"capability":"Lamp"}""");
        await ComponentRequests.RunningAsync(client, requestId);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/components/{requestId}/properties/on", new { value = true })).StatusCode);
        Assert.Equal("true", (await back.NextAsync($"equip/lamp-5/{requestId}/on/set")).Payload);
    }

    /// A container's client as firmware starts it: subscribed to its requests and its /set topics,
    /// its capability declared.
    private static async Task<MqttTestClient> DeclaredAsync(int port, string containerId)
    {
        var lamp = await MqttTestClient.ConnectAsync(port, containerId);
        await lamp.SubscribeAsync($"equip/{containerId}/$requests/+");
        await lamp.SubscribeAsync($"equip/{containerId}/+/+/set");
        Assert.True((await lamp.PublishAsync($"equip/{containerId}/$capabilities/Lamp", Lamp, retain: true)).IsSuccess);
        return lamp;
    }

    private static async Task<JsonElement> ComponentAsync(HttpClient admin, string id, Func<JsonElement, bool> condition)
    {
        JsonElement found = default;
        await Wait.UntilAsync(async () =>
        {
            found = (await admin.GetFromJsonAsync<JsonElement>("/api/components")).EnumerateArray().FirstOrDefault(c => c.GetProperty("id").GetString() == id);
            return found.ValueKind == JsonValueKind.Object && condition(found);
        }, $"component {id}");
        return found;
    }
}
