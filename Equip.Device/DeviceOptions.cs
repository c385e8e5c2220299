using Equip.Client;

namespace Equip.Device;

/// The simulator's command line.
public sealed record DeviceOptions(Uri Server, string ContainerId, string? Key, string Name, IReadOnlyDictionary<string, string> Labels)
{
    public const string Usage =
        "usage: Equip.Device --server URL[,URL...] --container ID [--key KEY] [--name NAME] [--label key=value ...]\n" +
        "                    (the key may come from the EQUIP_KEY environment variable instead)\n" +
        "                    [--max-reconnect-delay-ms MS] [--keep-alive-ms MS] [--server-timeout-ms MS] [--record-boots]";

    /// The longest wait between reconnection attempts (the client's cap; default 5000).
    public TimeSpan? MaxReconnectDelay { get; init; }

    /// How often the simulator pings the server when it has nothing to send (default 3000).
    public TimeSpan? KeepAliveInterval { get; init; }

    /// How long the server may stay silent before the connection is given up (default 10000).
    public TimeSpan? ServerTimeout { get; init; }

    /// The other addresses given to --server (the nodes of a cluster), tried in turn after Server.
    public IReadOnlyList<Uri> AlternateServers { get; init; } = [];

    /// Whether each start adds a persistent device.Boot item (a device's own journal, kept across restarts).
    public bool RecordBoots { get; init; }

    public static bool TryParse(string[] args, out DeviceOptions options, out string error)
    {
        options = null!;
        error = "";
        string? server = null, container = null, key = null, name = null;
        var labels = new Dictionary<string, string>();
        var durations = new Dictionary<string, TimeSpan>();
        var recordBoots = false;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--record-boots")
            {
                recordBoots = true;
                continue;
            }
            var value = i + 1 < args.Length ? args[i + 1] : null;
            if (args[i] is not ("--server" or "--container" or "--key" or "--name" or "--label"
                or "--max-reconnect-delay-ms" or "--keep-alive-ms" or "--server-timeout-ms"))
            {
                error = $"Unknown argument '{args[i]}'.";
                return false;
            }
            if (value is null)
            {
                error = $"{args[i]} needs a value.";
                return false;
            }
            i++;
            switch (args[i - 1])
            {
                case "--server":
                    server = value;
                    break;
                case "--container":
                    container = value;
                    break;
                case "--key":
                    key = value;
                    break;
                case "--name":
                    name = value;
                    break;
                case "--max-reconnect-delay-ms" or "--keep-alive-ms" or "--server-timeout-ms":
                    if (!int.TryParse(value, out var milliseconds) || milliseconds < 1)
                    {
                        error = $"{args[i - 1]} needs a positive number of milliseconds, not '{value}'.";
                        return false;
                    }
                    durations[args[i - 1]] = TimeSpan.FromMilliseconds(milliseconds);
                    break;
                default:
                    if (value.Split('=', 2) is not [{ Length: > 0 } label, var text])
                    {
                        error = $"A label is key=value, not '{value}'.";
                        return false;
                    }
                    labels[label] = text;
                    break;
            }
        }
        var addresses = (server ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => Uri.TryCreate(s, UriKind.Absolute, out var uri) ? uri : null).ToList();
        if (addresses.Count == 0 || addresses.Any(a => a is null))
        {
            error = "--server URL is required, such as http://localhost:5000 (several, comma-separated, for the nodes of a cluster).";
            return false;
        }
        var address = addresses[0]!;
        if (string.IsNullOrWhiteSpace(container))
        {
            error = "--container ID is required: the container's stable id.";
            return false;
        }
        key ??= Environment.GetEnvironmentVariable("EQUIP_KEY");
        options = new DeviceOptions(address, container, string.IsNullOrWhiteSpace(key) ? null : key, name ?? container, labels)
        {
            MaxReconnectDelay = Given("--max-reconnect-delay-ms"),
            KeepAliveInterval = Given("--keep-alive-ms"),
            ServerTimeout = Given("--server-timeout-ms"),
            RecordBoots = recordBoots,
            AlternateServers = [.. addresses.Skip(1).OfType<Uri>()],
        };
        if (options.KeepAliveInterval >= (options.ServerTimeout ?? new EquipClientOptions { Server = address }.ServerTimeout))
        {
            error = "--keep-alive-ms must be shorter than --server-timeout-ms (default 10000).";
            return false;
        }
        return true;

        TimeSpan? Given(string option) => durations.TryGetValue(option, out var duration) ? duration : null;
    }
}
