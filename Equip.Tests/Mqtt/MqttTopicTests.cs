using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Protocol;
using Equip.Tests.Security;
using Equip.Tests.Support;
using MQTTnet;

namespace Equip.Tests.Mqtt;

/// Topics as components of the broker's container, both ways (docs/mqtt.md, Topics), and MQTT
/// clients as peers and containers (Connections).
public sealed class MqttTopicTests : SecurityServer
{
    [Fact]
    public async Task APublishedTopicIsAComponentWhoseValueIsItsLastPayload()
    {
        await using var plug = await MqttTestClient.ConnectAsync(Server.MqttPort, "plug-1");
        await plug.PublishAsync("tele/plug-1/SENSOR", """{"Temperature":21.5}""");
        await plug.PublishAsync("stat/plug-1/POWER", "ON", retain: true);
        await plug.PublishAsync("stat/plug-1/POWER", "OFF");

        var power = await ComponentAsync("stat/plug-1/POWER", c => Value(c, "value") is "\"OFF\"");
        Assert.Equal("mqtt", power.GetProperty("containerId").GetString());
        Assert.Equal("mqtt.Topic", power.GetProperty("capability").GetString());
        Assert.Equal("\"ON\"", Value(power, "retained")); // the retained message stays what it was
        var sensor = await ComponentAsync("tele/plug-1/SENSOR", c => Value(c, "value") is not null);
        Assert.Equal("""{"Temperature":21.5}""", Value(sensor, "value"));
        Assert.Equal("null", Value(sensor, "retained"));
    }

    [Fact]
    public async Task AValueWrittenThroughRestIsPublishedOnTheTopic()
    {
        await using var plug = await MqttTestClient.ConnectAsync(Server.MqttPort, "plug-1");
        await plug.SubscribeAsync("cmnd/plug-1/POWER");
        await plug.PublishAsync("cmnd/plug-1/POWER", "OFF");
        Assert.Equal(("OFF", false), await plug.NextAsync("cmnd/plug-1/POWER"));
        await ComponentAsync("cmnd/plug-1/POWER", _ => true);

        using var admin = Server.NewClient();
        var set = await admin.PutAsJsonAsync($"/api/components/{Uri.EscapeDataString("mqtt/cmnd/plug-1/POWER")}/properties/value", new { value = "ON" });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);

        Assert.Equal(("ON", false), await plug.NextAsync("cmnd/plug-1/POWER"));
    }

    [Fact]
    public async Task ALinkCarriesOneTopicsValuesOntoAnother()
    {
        await using var button = await MqttTestClient.ConnectAsync(Server.MqttPort, "button-1");
        await using var lamp = await MqttTestClient.ConnectAsync(Server.MqttPort, "lamp-1");
        await lamp.SubscribeAsync("lamp-1/set");
        await button.PublishAsync("button-1/state", "0");
        await lamp.PublishAsync("lamp-1/set", "0");
        Assert.Equal(("0", false), await lamp.NextAsync("lamp-1/set"));
        await ComponentAsync("button-1/state", _ => true);
        await ComponentAsync("lamp-1/set", _ => true);
        using var admin = Server.NewClient();
        var link = await admin.PostAsJsonAsync("/api/links", new
        {
            source = new { containerId = "mqtt", component = "button-1/state", property = "value" },
            destination = new { containerId = "mqtt", component = "lamp-1/set", property = "value" },
        });
        Assert.Equal(HttpStatusCode.Created, link.StatusCode);

        foreach (var press in new[] { "1", "2", "3" })
        {
            await button.PublishAsync("button-1/state", press);
            Assert.Equal((press, false), await lamp.NextAsync("lamp-1/set"));
        }
    }

    [Fact]
    public async Task ALinkIntoATopicNothingWasPublishedOnMakesItsComponentAndCarriesValuesThere()
    {
        await using var plug = await MqttTestClient.ConnectAsync(Server.MqttPort, "plug-1");
        await plug.SubscribeAsync("cmnd/plug-1/POWER");
        await using var button = await MqttTestClient.ConnectAsync(Server.MqttPort, "button-1");
        await button.PublishAsync("button-1/state", "OFF");
        await ComponentAsync("button-1/state", _ => true);
        using var admin = Server.NewClient();
        var link = await admin.PostAsJsonAsync("/api/links", new
        {
            source = new { containerId = "mqtt", component = "button-1/state", property = "value" },
            destination = new { containerId = "mqtt", component = "cmnd/plug-1/POWER", property = "value" },
        });
        Assert.Equal(HttpStatusCode.Created, link.StatusCode);

        await ComponentAsync("cmnd/plug-1/POWER", _ => true); // made for the link
        Assert.Equal(("OFF", false), await plug.NextAsync("cmnd/plug-1/POWER")); // the source's value, pushed when the link came up
        await button.PublishAsync("button-1/state", "ON");
        Assert.Equal(("ON", false), await plug.NextAsync("cmnd/plug-1/POWER"));
    }

    [Fact]
    public async Task AClientIsAPeerAndAContainerUntilItsSessionEnds()
    {
        await using var plug = await MqttTestClient.ConnectAsync(Server.MqttPort, "plug-1");
        var dropped = await MqttTestClient.ConnectAsync(Server.MqttPort, "plug-2");
        await Wait.UntilAsync(async () => await PeerStateAsync("plug-1") == "connected" && await PeerStateAsync("plug-2") == "connected", "both peers connected");
        using var admin = Server.NewClient();
        var containers = await admin.GetFromJsonAsync<JsonElement>("/api/items?type=ect.Container");
        Assert.Contains(containers.EnumerateArray(), c => c.GetProperty("fields").GetProperty("containerId").GetString() == "plug-1"
            && c.GetProperty("fields").GetProperty("labels").GetProperty("protocol").GetString() == "mqtt");

        await plug.Client.DisconnectAsync(); // DISCONNECT: the session ends at once
        await Wait.UntilAsync(async () => await PeerStateAsync("plug-1") == "gone", "plug-1 gone");
        dropped.Client.Dispose(); // the socket closed without DISCONNECT: reconnecting, as a lost hub connection
        await Wait.UntilAsync(async () => await PeerStateAsync("plug-2") == "reconnecting", "plug-2 reconnecting");
    }

    [Fact]
    public async Task MqttOverWebSocketsWorksOnTheHttpListener()
    {
        var options = new MqttClientOptionsBuilder()
            .WithWebSocketServer(o => o.WithUri($"ws://127.0.0.1:{Server.Address.Port}/mqtt"))
            .WithClientId("browser-1").WithCredentials("tester", Testing.TestKeys.Admin).Build();
        var (browser, result) = await MqttTestClient.TryConnectAsync(options);
        await using var _ = browser;
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        await using var plug = await MqttTestClient.ConnectAsync(Server.MqttPort, "plug-1");
        await browser.SubscribeAsync("stat/#");
        await plug.PublishAsync("stat/plug-1/POWER", "ON");
        Assert.Equal(("ON", false), await browser.NextAsync("stat/plug-1/POWER"));
    }

    [Fact]
    public async Task NoClientMayBeTheBrokersPeer()
    {
        var (client, result) = await MqttTestClient.TryConnectAsync(MqttTestClient.Options(Server.MqttPort, "mqtt").Build());
        await using var _ = client;
        Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, result.ResultCode);
        var hub = await HubClient.ConnectAsync(Server.Address);
        await using var __ = hub;
        Assert.Equal(HubErrors.Invalid, await RefusalOf(() => hub.InvokeAsync<RegisterResponse>(HubNames.Register, new RegisterRequest { PeerId = "mqtt", Incarnation = "a", Name = "x" })));
    }

    private async Task<string?> PeerStateAsync(string peerId)
    {
        using var admin = Server.NewClient();
        var peers = await admin.GetFromJsonAsync<JsonElement>("/api/peers");
        return peers.EnumerateArray().FirstOrDefault(p => p.GetProperty("peerId").GetString() == peerId) is { ValueKind: JsonValueKind.Object } peer
            ? peer.GetProperty("state").GetString()
            : null;
    }

    /// The topic's component as GET /api/components shows it, once it satisfies the condition.
    private async Task<JsonElement> ComponentAsync(string topic, Func<JsonElement, bool> condition)
    {
        using var admin = Server.NewClient();
        JsonElement found = default;
        await Wait.UntilAsync(async () =>
        {
            var components = await admin.GetFromJsonAsync<JsonElement>("/api/components");
            found = components.EnumerateArray().FirstOrDefault(c => c.GetProperty("id").GetString() == "mqtt/" + topic);
            return found.ValueKind == JsonValueKind.Object && condition(found);
        }, $"component of topic {topic}");
        return found;
    }

    /// The property's value as JSON text; null while it is not listed.
    private static string? Value(JsonElement component, string property) =>
        ListedComponent.Property(component, property)?.GetProperty("value").GetRawText();
}
