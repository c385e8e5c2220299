namespace Equip.Scenarios.Harness;

/// The smallest installation worth breaking: the server, sim-a and sim-b on one site, a ring of
/// links between them, and a Counter on sim-a kept at count 21 by a constant (so its doubled,
/// computed on the device, shows 42 once the constant has reached the device).
public sealed record TwoSimulators(Site Site, Simulator A, Wiring Wiring, Guid Constrained)
{
    public const long ConstantCount = 21;

    public IReadOnlyList<Guid> Requests => [.. Wiring.Requests, Constrained];

    /// Starts everything and returns once the links flow and the constant is applied.
    public static async Task<TwoSimulators> StartAsync(Installation installation)
    {
        await installation.StartServerAsync();
        var site = installation.AddSite("lan");
        var a = installation.StartSimulator(site, "sim-a");
        installation.StartSimulator(site, "sim-b");
        var wiring = await Wiring.RingAsync(installation, "sim-a", "sim-b");
        var constrained = await installation.RequestAsync("Counter", "sim-a");
        await installation.ConstantAsync(constrained, "count", ConstantCount);
        var started = new TwoSimulators(site, a, wiring, constrained);
        await installation.UntilRunningAsync([.. started.Requests]);
        await installation.UntilLinksFlowAsync(wiring.Links, System.Diagnostics.Stopwatch.GetTimestamp());
        await installation.UntilAsync(() => started.ConstantAppliedAsync(installation), "the constant is applied");
        return started;
    }

    /// Whether the constrained Counter's device shows the constant.
    public async Task<bool> ConstantAppliedAsync(Installation installation) =>
        (await installation.PropertyAsync(Constrained, "doubled"))?.GetInt64() == 2 * ConstantCount;
}
