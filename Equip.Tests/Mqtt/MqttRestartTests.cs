using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Equip.Testing;
using Equip.Tests.Support;

namespace Equip.Tests.Mqtt;

/// Retained messages, on every topic, are kept in the store (written behind, flushed at a stop)
/// and come back after a restart; non-retained topics' components do not; a Homie device that
/// was up and does not come back within the grace period is marked lost on its behalf, a Home
/// Assistant entity's availability offline. Debian's
/// mosquitto_pub and mosquitto_sub as the devices, MQTT 3.1.1 and 5.
public sealed class MqttRestartTests
{
    [Fact]
    public async Task RetainedMessagesOutliveARestartAndOthersDoNot()
    {
        using var store = TestStore.Sqlite().With("Equip:Peers:DisconnectGrace", "00:00:03");
        int mqttPort;
        await using (var server = await ServerProcess.StartAsync(store.Settings, store.DataDirectory))
        {
            mqttPort = server.MqttPort;
            await RunAsync("mosquitto_pub", "-V", "mqttv311", "-p", $"{mqttPort}", "-i", "plug-1", "-u", "plug", "-P", TestKeys.Admin,
                "-t", "stat/plug-1/POWER", "-m", "ON", "-r", "-q", "1");
            await RunAsync("mosquitto_pub", "-V", "mqttv5", "-p", $"{mqttPort}", "-i", "plug-1", "-u", "plug", "-P", TestKeys.Admin,
                "-t", "tele/plug-1/STATE", "-m", "{\"Uptime\":1}", "-q", "1");
            await RunAsync("mosquitto_pub", "-p", $"{mqttPort}", "-i", "esp-9", "-u", "lamp", "-P", TestKeys.Admin,
                "-t", "homie/5/esp-9/$state", "-m", "ready", "-r", "-q", "1");
            foreach (var plug in new[] { "plug-a", "plug-b" }) // Home Assistant discovery, availability online
            {
                await RunAsync("mosquitto_pub", "-p", $"{mqttPort}", "-i", "bridge", "-u", "bridge", "-P", TestKeys.Admin, "-r", "-q", "1",
                    "-t", $"homeassistant/switch/{plug}/config", "-m", $"{{\"name\":\"{plug}\",\"stat_t\":\"{plug}/state\",\"avty_t\":\"{plug}/avail\",\"dev\":{{\"ids\":[\"{plug}\"]}}}}");
                await RunAsync("mosquitto_pub", "-p", $"{mqttPort}", "-i", "bridge", "-u", "bridge", "-P", TestKeys.Admin, "-r", "-q", "1",
                    "-t", $"{plug}/avail", "-m", "online");
            }
            using var http = TestHttp.Client(server.Address, Wait.Timeout);
            await Wait.UntilAsync(async () => (await TopicsAsync(http)).Contains("tele/plug-1/STATE"), "both topics mapped");
            await server.TerminateAsync();
        }

        await using var restarted = await ServerProcess.StartAsync(store.Settings, store.DataDirectory, mqttPort: mqttPort);
        var retained = await RunAsync("mosquitto_sub", "-p", $"{mqttPort}", "-i", "console", "-u", "me", "-P", TestKeys.Admin,
            "-t", "stat/#", "-t", "tele/#", "-v", "-C", "1", "-W", "10");
        Assert.Equal("ready", (await RunAsync("mosquitto_sub", "-p", $"{mqttPort}", "-i", "console", "-u", "me", "-P", TestKeys.Admin,
            "-t", "homie/5/esp-9/$state", "-C", "1", "-W", "10")).Trim()); // every retained message is back, not only mapped topics
        Assert.Equal("stat/plug-1/POWER ON", retained.Trim());
        using var client = TestHttp.Client(restarted.Address, Wait.Timeout);
        Assert.Equal(["stat/plug-1/POWER"], await TopicsAsync(client));

        // plug-b comes back, plug-a does not: after the grace period plug-a's availability says
        // offline (its Home Assistant default), and plug-b's stays as it said.
        await RunAsync("mosquitto_pub", "-p", $"{mqttPort}", "-i", "bridge", "-u", "bridge", "-P", TestKeys.Admin, "-r", "-q", "1", "-t", "plug-b/avail", "-m", "online");

        // esp-9 does not come back: after the grace period its retained $state says lost.
        await Wait.UntilAsync(async () => (await RunAsync("mosquitto_sub", "-p", $"{mqttPort}", "-i", "console", "-u", "me", "-P", TestKeys.Admin,
            "-t", "homie/5/esp-9/$state", "-C", "1", "-W", "5")).Trim() == "lost", "esp-9 marked lost");
        // (marked in the same pass as esp-9, one message after another: not necessarily yet)
        await Wait.UntilAsync(async () => (await RunAsync("mosquitto_sub", "-p", $"{mqttPort}", "-i", "console", "-u", "me", "-P", TestKeys.Admin,
            "-t", "plug-a/avail", "-C", "1", "-W", "5")).Trim() == "offline", "plug-a marked offline");
        await Task.Delay(TimeSpan.FromSeconds(1)); // the pass is over: plug-b would have been marked by now
        Assert.Equal("online", (await RunAsync("mosquitto_sub", "-p", $"{mqttPort}", "-i", "console", "-u", "me", "-P", TestKeys.Admin,
            "-t", "plug-b/avail", "-C", "1", "-W", "10")).Trim());
    }

    private static async Task<string[]> TopicsAsync(HttpClient http)
    {
        var components = await http.GetFromJsonAsync<JsonElement>("/api/components");
        return [.. components.EnumerateArray().Where(c => c.GetProperty("capability").GetString() == "mqtt.Topic").Select(c => c.GetProperty("name").GetString()!).Order()];
    }

    private static async Task<string> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(process.ExitCode == 0, $"{program} exited with {process.ExitCode}: {await errors}");
        return await output;
    }
}
