namespace Equip.Client;

/// A peer id kept in a file, so that a restarted device is the same peer.
internal static class PeerIdentity
{
    public static string Resolve(EquipClientOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.PeerId))
        {
            return options.PeerId;
        }
        var path = Path.GetFullPath(options.PeerIdFile);
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } stored)
        {
            return stored;
        }
        var made = Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, made);
        return made;
    }
}
