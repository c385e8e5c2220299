using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Testing;
using Equip.Tests.Support;

namespace Equip.Tests.Mqtt;

/// A Homie 5 device as a process of its own (paho-mqtt, as small firmware would be: retained
/// `$description` and `$state`, a will, `/set` echoed) wired to the device simulator over SignalR
/// both ways: the simulator's Slider drives the device's settable brightness (published on `/set`),
/// the device's level shows on the simulator's Display. Then the device is killed -9: its will
/// marks it lost, its peer is reconnecting, and after the grace period it is gone with its items.
public sealed class HomieProcessTests : IAsyncLifetime
{
    private const string Device = """
        import json, sys
        import paho.mqtt.client as mqtt
        port, key = int(sys.argv[1]), sys.argv[2]
        root = "homie/5/esp-7"
        description = {"homie": "5.0", "version": 1, "name": "Strip", "nodes": {
            "light": {"properties": {"brightness": {"datatype": "integer", "settable": True}}},
            "sensor": {"properties": {"level": {"datatype": "integer"}}}}}
        try:
            client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION1, client_id="esp-7")
        except AttributeError:
            client = mqtt.Client(client_id="esp-7")
        client.username_pw_set("strip", key)
        client.will_set(root + "/$state", "lost", qos=1, retain=True)
        def connected(client, userdata, flags, rc, *rest):
            client.subscribe(root + "/+/+/set", qos=1)
            client.publish(root + "/$state", "init", qos=1, retain=True)
            client.publish(root + "/$description", json.dumps(description), qos=1, retain=True)
            client.publish(root + "/light/brightness", "0", qos=1, retain=True)
            client.publish(root + "/sensor/level", "42", qos=1, retain=True)
            client.publish(root + "/$state", "ready", qos=1, retain=True)
        def received(client, userdata, message):
            print("set", message.topic, message.payload.decode(), flush=True)
            client.publish(message.topic[:-len("/set")], message.payload, qos=1, retain=True)
        client.on_connect = connected
        client.on_message = received
        client.connect("127.0.0.1", port, keepalive=5)
        client.loop_forever()
        """;

    private readonly TestStore _store = TestStore.Sqlite().With("Equip:Peers:DisconnectGrace", "00:00:05");
    private EquipServer? _server;
    private string? _script;

    public Task InitializeAsync()
    {
        _server = new EquipServer(_store);
        _script = Path.Combine(_store.DataDirectory, "homie_device.py");
        File.WriteAllText(_script, Device);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _server?.Dispose();
        _store.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task AHomieDeviceProcessIsWiredToTheSimulatorAndGoesWhenKilled()
    {
        var server = _server!;
        using var admin = server.NewClient();
        await using var simulator = DeviceProcess.Start(server.Address, "sim-h");
        var slider = await ComponentRequests.RunAsync(admin, "Slider", "sim-h");
        var display = await ComponentRequests.RunAsync(admin, "Display", "sim-h");
        await using var device = ScriptProcess.Start("/usr/bin/python3", _script!, $"{server.MqttPort}", TestKeys.Admin);
        await ComponentAsync(admin, "esp-7/sensor", c => ListedComponent.Value(c, "level").ValueKind == JsonValueKind.Number);

        await LinkAsync(admin, new { componentRequestId = slider, property = "value" }, new { containerId = "esp-7", component = "light", property = "brightness" });
        await LinkAsync(admin, new { containerId = "esp-7", component = "sensor", property = "level" }, new { componentRequestId = display, property = "text" });
        await ComponentAsync(admin, display.ToString(), c => ListedComponent.Text(c, "text") == "42"); // the device's level on the simulator

        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/components/{slider}/properties/value", new { value = 40 })).StatusCode);
        await device.WaitForOutputAsync("set homie/5/esp-7/light/brightness/set 40");
        await ComponentAsync(admin, "esp-7/light", c => ListedComponent.Number(c, "brightness") == 40);

        await device.KillAsync(); // kill -9: no DISCONNECT; the broker notices the closed socket
        await Wait.UntilAsync(async () => (await admin.GetFromJsonAsync<JsonElement>("/api/items?type=ect.Container")).EnumerateArray()
            .Any(c => c.GetProperty("fields").GetProperty("containerId").GetString() == "esp-7" && c.GetProperty("fields").GetProperty("state").GetString() == "lost"),
            "the will: $state lost");
        // The will and the peer's transition are two writes: the second may come a moment later.
        await Wait.UntilAsync(async () => (await admin.GetFromJsonAsync<JsonElement>("/api/peers")).EnumerateArray()
            .Single(p => p.GetProperty("peerId").GetString() == "esp-7").GetProperty("state").GetString() == "reconnecting", "the device reconnecting");
        await Wait.UntilAsync(async () => !(await admin.GetFromJsonAsync<JsonElement>("/api/components")).EnumerateArray()
            .Any(c => c.GetProperty("containerId").GetString() == "esp-7"), "the device's components gone after the grace period");
    }

    private static async Task LinkAsync(HttpClient admin, object source, object destination) =>
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/links", new { source, destination })).StatusCode);

    private static async Task ComponentAsync(HttpClient admin, string id, Func<JsonElement, bool> condition) =>
        await Wait.UntilAsync(async () => (await admin.GetFromJsonAsync<JsonElement>("/api/components")).EnumerateArray()
            .Any(c => c.GetProperty("id").GetString() == id && condition(c)), $"component {id}");
}
