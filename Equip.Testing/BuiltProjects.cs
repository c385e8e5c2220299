namespace Equip.Testing;

/// The solution's programs as built beside the running assembly, in the same configuration.
public static class BuiltProjects
{
    /// PROJECT/bin/CONFIGURATION/net10.0/PROJECT.dll under the directory that holds Equip.sln.
    public static string Dll(string project)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var dll = Path.Combine(Root(), project, "bin", configuration, "net10.0", $"{project}.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build {project} first.", dll);
    }

    /// The directory that holds Equip.sln, above the running assembly.
    public static string Root()
    {
        var here = AppContext.BaseDirectory;
        var directory = new DirectoryInfo(here);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Equip.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException($"Equip.sln was not found above {here}.");
    }
}
