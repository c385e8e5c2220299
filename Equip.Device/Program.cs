using Equip.Device;

if (!DeviceOptions.TryParse(args, out var options, out var error))
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine(DeviceOptions.Usage);
    return 2;
}
await Simulator.RunAsync(options);
return 0;
