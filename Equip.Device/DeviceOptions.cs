namespace Equip.Device;

/// The simulator's command line.
public sealed record DeviceOptions(Uri Server, string ContainerId, string? Key, string Name, IReadOnlyDictionary<string, string> Labels)
{
    public const string Usage =
        "usage: Equip.Device --server URL --container ID [--key KEY] [--name NAME] [--label key=value ...]";

    public static bool TryParse(string[] args, out DeviceOptions options, out string error)
    {
        options = null!;
        error = "";
        string? server = null, container = null, key = null, name = null;
        var labels = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            if (args[i] is not ("--server" or "--container" or "--key" or "--name" or "--label"))
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
        if (!Uri.TryCreate(server, UriKind.Absolute, out var address))
        {
            error = "--server URL is required, such as http://localhost:5000.";
            return false;
        }
        if (string.IsNullOrWhiteSpace(container))
        {
            error = "--container ID is required: the container's stable id.";
            return false;
        }
        options = new DeviceOptions(address, container, key, name ?? container, labels);
        return true;
    }
}
