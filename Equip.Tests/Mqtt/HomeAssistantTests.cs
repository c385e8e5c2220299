using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Tests.Security;
using Equip.Tests.Support;

namespace Equip.Tests.Mqtt;

/// A device that announces itself by Home Assistant MQTT discovery, scripted with MQTTnet as
/// Tasmota does it (abbreviated keys, `~`, availability, a device config with `cmps`), appears
/// with its entities as components; a command is published to the command topic (docs/mqtt.md).
public sealed class HomeAssistantTests : SecurityServer
{
    private const string Switch = """
        {"name":"Relay","uniq_id":"plug_relay","~":"tasmota_ABC/","stat_t":"~stat/POWER","cmd_t":"cmnd/tasmota_ABC/POWER",
         "pl_on":"ON","pl_off":"OFF","avty_t":"~tele/LWT","pl_avail":"Online","pl_not_avail":"Offline",
         "dev":{"ids":["ABC123"],"name":"Plug ABC","mf":"Tasmota"}}
        """;

    private const string Sensors = """
        {"dev":{"ids":"ABC123","name":"Plug ABC"},"o":{"name":"test"},
         "cmps":{"temp":{"p":"sensor","name":"Temperature","uniq_id":"plug_temp","stat_t":"tasmota_ABC/tele/SENSOR",
                         "val_tpl":"{{ value_json.ENERGY.Temperature | float }}","unit_of_meas":"°C"}}}
        """;

    [Fact]
    public async Task ADiscoveredDevicesEntitiesAreComponentsAndACommandReachesItsTopic()
    {
        await using var plug = await MqttTestClient.ConnectAsync(Server.MqttPort, "tasmota_ABC");
        await plug.SubscribeAsync("homeassistant/status");
        Assert.Equal(("online", true), await plug.NextAsync("homeassistant/status")); // it would announce itself now
        await plug.SubscribeAsync("cmnd/tasmota_ABC/POWER");
        await plug.PublishAsync("tasmota_ABC/stat/POWER", "ON", retain: true);
        await plug.PublishAsync("homeassistant/switch/tasmota_ABC/relay/config", Switch, retain: true);
        await plug.PublishAsync("homeassistant/device/ABC123/config", Sensors, retain: true);
        await plug.PublishAsync("tasmota_ABC/tele/SENSOR", """{"ENERGY":{"Temperature":22.5,"Power":3}}""");
        await plug.PublishAsync("tasmota_ABC/tele/LWT", "Online", retain: true);

        var relay = await ComponentAsync("ABC123/plug_relay", c => State(c) is JsonValueKind.True && c.GetProperty("available").ValueKind == JsonValueKind.True);
        Assert.Equal("switch", relay.GetProperty("capability").GetString());
        Assert.Equal("ABC123", relay.GetProperty("containerId").GetString());
        var temperature = await ComponentAsync("ABC123/plug_temp", c => State(c) is JsonValueKind.Number);
        Assert.Equal("sensor", temperature.GetProperty("capability").GetString());
        Assert.Equal(22.5, ListedComponent.Number(temperature, "state"));

        using var admin = Server.NewClient();
        var set = await admin.PutAsJsonAsync($"/api/components/{Uri.EscapeDataString("ABC123/plug_relay")}/properties/command", new { value = false });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal(("OFF", false), await plug.NextAsync("cmnd/tasmota_ABC/POWER"));
        await plug.PublishAsync("tasmota_ABC/stat/POWER", "OFF");
        await ComponentAsync("ABC123/plug_relay", c => State(c) is JsonValueKind.False);

        await plug.PublishAsync("homeassistant/switch/tasmota_ABC/relay/config", "", retain: true);
        await Wait.UntilAsync(async () => !(await admin.GetFromJsonAsync<JsonElement>("/api/components")).EnumerateArray()
            .Any(c => c.GetProperty("id").GetString() == "ABC123/plug_relay"), "the relay's component removed");
        await ComponentAsync("ABC123/plug_temp", _ => true); // the other entity stays
    }

    /// Wired to the device simulator over SignalR both ways: its sensor's state shows on the
    /// simulator's Display, the simulator's Slider drives a number entity's command topic.
    [Fact]
    public async Task ADiscoveredDeviceIsWiredToTheSimulatorBothWays()
    {
        await using var fan = await MqttTestClient.ConnectAsync(Server.MqttPort, "esphome-fan");
        await fan.SubscribeAsync("fan/speed/set");
        await fan.PublishAsync("homeassistant/sensor/fan/rpm/config", """{"name":"RPM","uniq_id":"fan_rpm","stat_t":"fan/rpm","dev":{"ids":"fan1"}}""", retain: true);
        await fan.PublishAsync("homeassistant/number/fan/speed/config", """{"name":"Speed","uniq_id":"fan_speed","stat_t":"fan/speed","cmd_t":"fan/speed/set","dev":{"ids":"fan1"}}""", retain: true);
        await fan.PublishAsync("fan/rpm", "1200");
        await ComponentAsync("fan1/fan_rpm", c => State(c) is JsonValueKind.Number);

        using var admin = Server.NewClient();
        await using var simulator = Testing.DeviceProcess.Start(Server.Address, "sim-ha");
        var slider = await ComponentRequests.RunAsync(admin, "Slider", "sim-ha");
        var display = await ComponentRequests.RunAsync(admin, "Display", "sim-ha");
        await LinkAsync(admin, new { containerId = "fan1", component = "fan_rpm", property = "state" }, new { componentRequestId = display, property = "text" });
        await LinkAsync(admin, new { componentRequestId = slider, property = "value" }, new { containerId = "fan1", component = "fan_speed", property = "command" });
        await ComponentAsync(display.ToString(), c => ListedComponent.Text(c, "text") == "1200");
        await fan.PublishAsync("fan/rpm", "1350");
        await ComponentAsync(display.ToString(), c => ListedComponent.Text(c, "text") == "1350");

        Assert.Equal("0", (await fan.NextAsync("fan/speed/set")).Payload); // the slider's value, carried when the link is made
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/components/{slider}/properties/value", new { value = 3 })).StatusCode);
        Assert.Equal("3", (await fan.NextAsync("fan/speed/set")).Payload);
    }

    private static async Task LinkAsync(HttpClient admin, object source, object destination) =>
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/links", new { source, destination })).StatusCode);

    /// A bridge whose connection drops comes back with a clean session (a new incarnation: its
    /// earlier items go) and does not announce its devices again: they are made again from their
    /// retained configs, and its state messages are applied.
    [Fact]
    public async Task ABridgeThatReconnectsWithACleanSessionKeepsItsDevices()
    {
        var bridge = await MqttTestClient.ConnectAsync(Server.MqttPort, "zigbee2mqtt");
        await bridge.PublishAsync("homeassistant/switch/tasmota_ABC/relay/config", Switch, retain: true);
        await bridge.PublishAsync("tasmota_ABC/stat/POWER", "ON");
        await ComponentAsync("ABC123/plug_relay", c => State(c) is JsonValueKind.True);
        bridge.Client.Dispose(); // the connection drops: no DISCONNECT

        await using var back = await MqttTestClient.ConnectAsync(Server.MqttPort, "zigbee2mqtt");
        await back.PublishAsync("tasmota_ABC/stat/POWER", "OFF");
        await ComponentAsync("ABC123/plug_relay", c => State(c) is JsonValueKind.False);
    }

    private async Task<JsonElement> ComponentAsync(string id, Func<JsonElement, bool> condition)
    {
        using var admin = Server.NewClient();
        JsonElement found = default;
        await Wait.UntilAsync(async () =>
        {
            found = (await admin.GetFromJsonAsync<JsonElement>("/api/components")).EnumerateArray().FirstOrDefault(c => c.GetProperty("id").GetString() == id);
            if (found.ValueKind != JsonValueKind.Object)
            {
                return false;
            }
            var item = await admin.GetFromJsonAsync<JsonElement>($"/api/items/{Protocol.Ect.ComponentItemId(id)}");
            return condition(Merge(found, item.GetProperty("fields")));
        }, $"component {id}");
        return found;
    }

    /// The component as the components API shows it, with the item's extra fields (available).
    private static JsonElement Merge(JsonElement component, JsonElement fields)
    {
        var merged = System.Text.Json.Nodes.JsonNode.Parse(component.GetRawText())!.AsObject();
        merged["available"] = fields.TryGetProperty("available", out var available) ? System.Text.Json.Nodes.JsonNode.Parse(available.GetRawText()) : null;
        return JsonSerializer.SerializeToElement(merged);
    }

    private static JsonValueKind? State(JsonElement component) =>
        ListedComponent.Value(component, "state").ValueKind is var kind and not JsonValueKind.Undefined ? kind : null;
}
