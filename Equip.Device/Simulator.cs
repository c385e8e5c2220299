using System.Runtime.InteropServices;
using System.Text.Json;
using Equip.Client;
using Equip.Client.Components;
using Equip.Device.Capabilities;
using Equip.Protocol;

namespace Equip.Device;

/// A container with the demo capabilities, printing what happens, until Ctrl+C or SIGTERM.
public static class Simulator
{
    public static async Task RunAsync(DeviceOptions options)
    {
        using var stop = new CancellationTokenSource();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        var defaults = new EquipClientOptions { Server = options.Server };
        await using var client = new EquipClient(new EquipClientOptions
        {
            Server = options.Server,
            AlternateServers = options.AlternateServers,
            Key = options.Key,
            PeerId = options.ContainerId,
            Name = options.Name,
            MaxReconnectDelay = options.MaxReconnectDelay ?? defaults.MaxReconnectDelay,
            InitialReconnectDelay = Min(defaults.InitialReconnectDelay, options.MaxReconnectDelay ?? defaults.MaxReconnectDelay),
            KeepAliveInterval = options.KeepAliveInterval ?? defaults.KeepAliveInterval,
            ServerTimeout = options.ServerTimeout ?? defaults.ServerTimeout,
        });
        client.StateChanged += change =>
        {
            Console.WriteLine(Describe(change));
            if (change.State == EquipConnectionState.Unauthorized)
            {
                stop.Cancel(); // a refused key does not become valid by waiting
            }
        };
        await using var container = new ComponentContainer(client, options.ContainerId, new ComponentContainerOptions
        {
            Name = options.Name,
            Labels = options.Labels,
        });
        container.Export<Slider>("Slider");
        container.Export<Display>("Display");
        container.Export<Clock>("Clock");
        container.Export<Counter>("Counter");
        container.Export<Logger>("Logger");
        container.Launched += c => Console.WriteLine($"launched {c.Capability} {c.ComponentId}");
        container.Stopped += c => Console.WriteLine($"stopped {c.Capability} {c.ComponentId}");
        container.ComponentFailed += f => Console.WriteLine($"failed {f.Capability} {f.ComponentId}: {f.Error.Message}");

        Console.WriteLine($"container {options.ContainerId} on {options.Server}, exporting {string.Join(", ", container.Capabilities)}");
        client.Start();
        await container.StartAsync(stop.Token);
        var boot = options.RecordBoots ? RecordBootAsync(client, options.ContainerId, stop.Token) : Task.CompletedTask;
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine("stopping");
        }
        await boot;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    /// A persistent item per start: it must outlive this process, whatever happens to it.
    private static async Task RecordBootAsync(EquipClient client, string containerId, CancellationToken stop)
    {
        try
        {
            var fields = JsonSerializer.SerializeToElement(new { containerId, incarnation = client.Incarnation, startedAt = DateTimeOffset.UtcNow });
            var boot = await client.AddAsync(new AddRequest { Type = "device.Boot", Fields = fields }).WaitAsync(stop);
            Console.WriteLine($"boot recorded {boot.Id}");
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static string Describe(EquipConnectionChange change) => change switch
    {
        { State: EquipConnectionState.Connected, SessionPresent: true } => "connection Connected (session kept)",
        { State: EquipConnectionState.Connected } => "connection Connected",
        { Error: { } error } => $"connection {change.State}: {error.Message}",
        _ => $"connection {change.State}",
    };
}
