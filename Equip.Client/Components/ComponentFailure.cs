namespace Equip.Client.Components;

/// <summary>A component's own code failed: its start (it was not launched), its disposal or a Changed handler.</summary>
/// <param name="ComponentId">The component's id.</param>
/// <param name="Capability">Its capability.</param>
/// <param name="Error">What the component's code threw.</param>
public sealed record ComponentFailure(string ComponentId, string Capability, Exception Error);
