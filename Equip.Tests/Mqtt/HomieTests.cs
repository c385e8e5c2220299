using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Tests.Security;
using Equip.Tests.Support;
using MQTTnet;
using MQTTnet.Protocol;

namespace Equip.Tests.Mqtt;

/// A Homie 5 device, scripted with MQTTnet as the convention has it (retained `$state` and
/// `$description`, a will), appears as a container with its nodes as components; a value set on a
/// settable property from REST or a link is published to its `/set` topic (docs/mqtt.md, Homie).
public sealed class HomieTests : SecurityServer
{
    private const string Description = """
        {"homie":"5.0","version":1,"name":"Desk lamp","nodes":{
          "light":{"name":"Light","type":"switch","properties":{
            "on":{"name":"On","datatype":"boolean","settable":true,"retained":true},
            "brightness":{"datatype":"integer","unit":"%","settable":true}}},
          "sensor":{"properties":{"temperature":{"datatype":"float","unit":"°C"}}}}}
        """;

    [Fact]
    public async Task AHomieDeviceIsAContainerWhoseSettablePropertiesAreWrittenThroughSet()
    {
        await using var lamp = await ConnectDeviceAsync("esp-1");
        await lamp.SubscribeAsync("homie/5/esp-1/+/+/set");
        await PublishRetainedAsync(lamp, "homie/5/esp-1/$state", "init");
        await PublishRetainedAsync(lamp, "homie/5/esp-1/light/on", "false");
        await PublishRetainedAsync(lamp, "homie/5/esp-1/$description", Description);
        await PublishRetainedAsync(lamp, "homie/5/esp-1/sensor/temperature", "21.5");
        await PublishRetainedAsync(lamp, "homie/5/esp-1/$state", "ready");

        var light = await ComponentAsync("esp-1/light", c => ListedComponent.Property(c, "on") is { } on && on.GetProperty("value").ValueKind == JsonValueKind.False);
        Assert.Equal("esp-1", light.GetProperty("containerId").GetString());
        Assert.Equal("switch", light.GetProperty("capability").GetString());
        Assert.Equal("boolean", ListedComponent.Property(light, "on")!.Value.GetProperty("type").GetString());
        Assert.Equal("integer", ListedComponent.Property(light, "brightness")!.Value.GetProperty("type").GetString());
        var sensor = await ComponentAsync("esp-1/sensor", c => ListedComponent.Property(c, "temperature")?.GetProperty("value").ValueKind == JsonValueKind.Number);
        Assert.Equal(21.5, ListedComponent.Property(sensor, "temperature")!.Value.GetProperty("value").GetDouble());
        Assert.True(ListedComponent.Property(sensor, "temperature")!.Value.GetProperty("readOnly").GetBoolean());

        using var admin = Server.NewClient();
        var set = await admin.PutAsJsonAsync($"/api/components/{Uri.EscapeDataString("esp-1/light")}/properties/on", new { value = true });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal(("true", false), await lamp.NextAsync("homie/5/esp-1/light/on/set"));
        var readOnly = await admin.PutAsJsonAsync($"/api/components/{Uri.EscapeDataString("esp-1/sensor")}/properties/temperature", new { value = 30 });
        Assert.Equal(HttpStatusCode.Conflict, readOnly.StatusCode);

        // A plain topic linked into the lamp's brightness: each value reaches the lamp as a /set.
        await using var console = await MqttTestClient.ConnectAsync(Server.MqttPort, "console");
        await console.PublishAsync("console/dimmer", "10");
        await ComponentAsync("console/dimmer", _ => true, "mqtt/");
        var link = await admin.PostAsJsonAsync("/api/links", new
        {
            source = new { containerId = "mqtt", component = "console/dimmer", property = "value" },
            destination = new { containerId = "esp-1", component = "light", property = "brightness" },
        });
        Assert.Equal(HttpStatusCode.Created, link.StatusCode);
        Assert.Equal(("10", false), await lamp.NextAsync("homie/5/esp-1/light/brightness/set"));
        await console.PublishAsync("console/dimmer", "75");
        Assert.Equal(("75", false), await lamp.NextAsync("homie/5/esp-1/light/brightness/set"));
    }

    [Fact]
    public async Task TheWillMarksTheDeviceLostAndAnEmptyStateRemovesIt()
    {
        var lamp = await ConnectDeviceAsync("esp-2");
        await PublishRetainedAsync(lamp, "homie/5/esp-2/$description", Description);
        await PublishRetainedAsync(lamp, "homie/5/esp-2/$state", "ready");
        await ContainerAsync("esp-2", c => c.GetProperty("fields").GetProperty("state").GetString() == "ready");

        lamp.Client.Dispose(); // no DISCONNECT: the broker publishes the will, $state = lost
        await ContainerAsync("esp-2", c => c.GetProperty("fields").GetProperty("state").GetString() == "lost");

        await using var back = await ConnectDeviceAsync("esp-2");
        await PublishRetainedAsync(back, "homie/5/esp-2/$description", Description);
        await ComponentAsync("esp-2/light", _ => true);
        await PublishRetainedAsync(back, "homie/5/esp-2/$state", "");
        using var admin = Server.NewClient();
        await Wait.UntilAsync(async () => !(await admin.GetFromJsonAsync<JsonElement>("/api/components")).EnumerateArray()
            .Any(c => c.GetProperty("containerId").GetString() == "esp-2"), "the device's components removed");
    }

    [Fact]
    public async Task AHomie4DeviceIsDescribedByItsAttributesOnceItIsReady()
    {
        await using var lamp = await MqttTestClient.ConnectAsync(Server.MqttPort, "esp-4");
        await lamp.SubscribeAsync("homie/esp-4/+/+/set");
        foreach (var (attribute, value) in new[]
        {
            ("$homie", "4.0"), ("$name", "Old lamp"), ("$state", "init"), ("$nodes", "light"),
            ("light/$name", "Light"), ("light/$type", "switch"), ("light/$properties", "on,power"),
            ("light/on/$name", "On"), ("light/on/$datatype", "boolean"), ("light/on/$settable", "true"),
            ("light/power/$datatype", "float"), ("light/power/$unit", "W"), ("light/on", "true"), ("light/power", "4.5"),
        })
        {
            await PublishRetainedAsync(lamp, $"homie/esp-4/{attribute}", value);
        }
        using var admin = Server.NewClient();
        Assert.DoesNotContain((await admin.GetFromJsonAsync<JsonElement>("/api/components")).EnumerateArray(), c => c.GetProperty("id").GetString() == "esp-4/light");

        await PublishRetainedAsync(lamp, "homie/esp-4/$state", "ready");
        var light = await ComponentAsync("esp-4/light", c => ListedComponent.Property(c, "on")?.GetProperty("value").ValueKind == JsonValueKind.True);
        Assert.Equal("switch", light.GetProperty("capability").GetString());
        Assert.Equal(4.5, ListedComponent.Property(light, "power")!.Value.GetProperty("value").GetDouble());
        Assert.True(ListedComponent.Property(light, "power")!.Value.GetProperty("readOnly").GetBoolean());

        var set = await admin.PutAsJsonAsync($"/api/components/{Uri.EscapeDataString("esp-4/light")}/properties/on", new { value = false });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal(("false", false), await lamp.NextAsync("homie/esp-4/light/on/set"));
    }

    private async Task<MqttTestClient> ConnectDeviceAsync(string id)
    {
        var options = MqttTestClient.Options(Server.MqttPort, id).WithWillTopic($"homie/5/{id}/$state").WithWillPayload("lost")
            .WithWillRetain().WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithKeepAlivePeriod(TimeSpan.FromSeconds(5)).Build();
        var (client, result) = await MqttTestClient.TryConnectAsync(options);
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return client;
    }

    private static async Task PublishRetainedAsync(MqttTestClient device, string topic, string payload) =>
        Assert.True((await device.PublishAsync(topic, payload, retain: true)).IsSuccess || payload.Length == 0);

    private async Task<JsonElement> ComponentAsync(string id, Func<JsonElement, bool> condition, string prefix = "")
    {
        using var admin = Server.NewClient();
        JsonElement found = default;
        await Wait.UntilAsync(async () =>
        {
            var components = await admin.GetFromJsonAsync<JsonElement>("/api/components");
            found = components.EnumerateArray().FirstOrDefault(c => c.GetProperty("id").GetString() == prefix + id);
            return found.ValueKind == JsonValueKind.Object && condition(found);
        }, $"component {id}");
        return found;
    }

    private async Task ContainerAsync(string id, Func<JsonElement, bool> condition)
    {
        using var admin = Server.NewClient();
        await Wait.UntilAsync(async () => (await admin.GetFromJsonAsync<JsonElement>("/api/items?type=ect.Container")).EnumerateArray()
            .Any(c => c.GetProperty("fields").GetProperty("containerId").GetString() == id && condition(c)), $"container {id}");
    }
}
