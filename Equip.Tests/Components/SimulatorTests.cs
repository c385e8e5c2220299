using System.Text.Json;
using Equip.Client;
using Equip.Protocol;
using Equip.Testing;
using Equip.Tests.Support;

namespace Equip.Tests.Components;

/// The device simulator (Equip.Device) as its own process against a real Kestrel; the test plays
/// the server's launcher and a REST user.
public sealed class SimulatorTests : IAsyncLifetime
{
    private const string Sim = "sim-1";
    private readonly TestStore _store = TestStore.Sqlite().With("Equip:Peers:DisconnectGrace", "00:00:30");
    private readonly EquipServer _server;
    private readonly HttpClient _http;
    private readonly EquipClient _watcher;
    private readonly Replica _watch;
    private DeviceProcess? _device;

    public SimulatorTests()
    {
        _server = new EquipServer(_store);
        _http = _server.NewClient();
        _watcher = Devices.Start(_server.Address, "watcher");
        _watch = _watcher.Subscribe(new WirePattern { Type = "ect.*" });
    }

    private ItemsRest Rest => new(_http);

    private DeviceProcess Device => _device!;

    public async Task InitializeAsync()
    {
        _device = DeviceProcess.Start(_server.Address, Sim, "--label", "room=lab");
        await _watch.Settled(r => r.Get(Ect.CapabilityItemId(Sim, "Logger")) is not null);
    }

    public async Task DisposeAsync()
    {
        if (_device is not null)
        {
            await _device.DisposeAsync();
        }
        await _watcher.DisposeAsync();
        _http.Dispose();
        _server.Dispose();
        _store.Dispose();
    }

    private Task<Guid> RequestAsync(string capability, object? initialValues = null) =>
        Rest.AddAsync(Ect.ComponentRequest, new
        {
            capability,
            containerId = Sim,
            selector = (object?)null,
            initialValues = initialValues ?? new { },
            lastValues = new { },
            assignedContainerId = Sim,
            status = "pending",
            reason = (string?)null,
            componentId = (string?)null,
        });

    private WireItem? PropertyOf(Guid request, string name) => _watch.Get(Ect.PropertyItemId(request.ToString(), name));

    private static JsonElement ValueOf(WireItem? item) => item!.Fields.GetProperty("value");

    private async Task SetAsync(Guid request, string name, object value)
    {
        await _watch.Settled(r => PropertyOf(request, name) is not null);
        var item = PropertyOf(request, name)!;
        await Rest.PutFieldAsync(item.Id, item.Fields, "value", value);
    }

    [Fact]
    public async Task ASimulatedDeviceRunsARequestedCounterThatDoublesTheCountSetThroughRest()
    {
        var request = await RequestAsync("Counter");

        await SetAsync(request, "count", 21);

        await _watch.Settled(r => PropertyOf(request, "doubled") is { } doubled && ValueOf(doubled).GetInt64() == 42);
        await Device.WaitForOutputAsync($"launched Counter {request}").WaitAsync(Wait.Timeout);
        var container = _watch.Get(Ect.ContainerItemId(Sim))!;
        Assert.Equal(("sim-1", "lab"), (container.Fields.GetProperty("name").GetString(), container.Fields.GetProperty("labels").GetProperty("room").GetString()));
    }

    [Fact]
    public async Task TheSimulatorsClockTicksAndItsLoggerPrintsWhatItIsGiven()
    {
        var clock = await RequestAsync("Clock", new { intervalMs = 50 });
        var logger = await RequestAsync("Logger");

        await SetAsync(logger, "input", "hello from REST");

        await Device.WaitForOutputAsync($"Logger {logger}: hello from REST").WaitAsync(Wait.Timeout);
        await _watch.Settled(r => PropertyOf(clock, "ticks") is { } ticks && ValueOf(ticks).GetInt64() >= 3);
        Assert.True(DateTimeOffset.TryParse(ValueOf(PropertyOf(clock, "time")).GetString(), out _));
    }

    [Fact]
    public async Task ASimulatedDeviceStoppedWithSigtermDeletesItsItemsAndExits()
    {
        var request = await RequestAsync("Display");
        await Device.WaitForOutputAsync($"launched Display {request}").WaitAsync(Wait.Timeout);

        await Device.TerminateAsync().WaitAsync(Wait.Timeout);

        Assert.Equal(0, Device.ExitCode);
        await _watch.Settled(r => !r.Items.Any(i => i.Responsible == Sim));
        Assert.Contains($"stopped Display {request}", Device.Output);
    }

    [Fact]
    public async Task ASimulatorGivenABadTimingRefusesToStartAndSaysWhy()
    {
        await using var device = DeviceProcess.Start(_server.Address, "sim-bad", "--keep-alive-ms", "0");

        await device.WaitForOutputAsync("usage:").WaitAsync(Wait.Timeout);
        await Wait.UntilAsync(() => Task.FromResult(device.HasExited), "the simulator exits");
        Assert.Equal(2, device.ExitCode);
        Assert.Contains("--keep-alive-ms needs a positive number of milliseconds, not '0'.", device.Output);
    }
}
