namespace Equip.Infrastructure;

public sealed class EquipOptions
{
    public const string Section = "Equip";

    /// Where the embedded store keeps its files; relative paths resolve against the working directory.
    public string DataDirectory { get; set; } = "./data";
}
