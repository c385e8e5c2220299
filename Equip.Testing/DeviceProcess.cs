using System.Diagnostics;

namespace Equip.Testing;

/// The device simulator (Equip.Device) run as a separate process from its built dll.
public sealed class DeviceProcess : ChildProcess
{
    private DeviceProcess(ProcessStartInfo start)
        : base(start)
    {
    }

    /// Starts `Equip.Device --server SERVER --container CONTAINERID` with further arguments, and
    /// `--key` the admin key unless they give one.
    public static DeviceProcess Start(Uri server, string containerId, params string[] arguments) => Start([server], containerId, arguments);

    /// The same with several server addresses (the nodes of a cluster), given as `--server A,B`.
    public static DeviceProcess Start(IReadOnlyList<Uri> servers, string containerId, params string[] arguments) =>
        new(new ProcessStartInfo("dotnet", [BuiltProjects.Dll("Equip.Device"), "--server", string.Join(',', servers), "--container", containerId,
            .. arguments.Contains("--key") ? [] : new[] { "--key", TestKeys.Admin }, .. arguments]));
}
