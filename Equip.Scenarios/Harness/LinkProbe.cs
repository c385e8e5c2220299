using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Equip.Scenarios.Harness;

/// Finds when links flow: sets each link's source Counter's count to fresh values through REST,
/// and watches the destination Counter's doubled until one of them arrives there (as 4n). The
/// source device computes doubled, the link engine carries it to the destination's count, and the
/// destination device computes its doubled: a value seen there has passed the whole path.
public sealed class LinkProbe(Installation installation)
{
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(250);
    private static long s_next = 1000;

    public async Task<TimeSpan> UntilFlowingAsync(IReadOnlyList<Link> links, long since, TimeSpan limit)
    {
        var arrivals = await Task.WhenAll(links.Select(link => ArrivalAsync(link, since, limit)));
        return arrivals.Max();
    }

    private async Task<TimeSpan> ArrivalAsync(Link link, long since, TimeSpan limit)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        var sent = new HashSet<long>();
        long lastSent = 0;
        while (true)
        {
            var now = Stopwatch.GetTimestamp();
            if (now > deadline)
            {
                throw new ScenarioFailedException($"{link} did not carry a value within {limit.TotalSeconds:0.#} s; it says {await StatusAsync(link)}.");
            }
            if (Stopwatch.GetElapsedTime(lastSent, now) >= ProbeInterval)
            {
                var count = Interlocked.Increment(ref s_next);
                if (await installation.TrySetPropertyAsync(link.Source, "count", count))
                {
                    sent.Add(Link.Arrived(count));
                }
                lastSent = now;
            }
            if (sent.Count > 0 && await TryReadAsync(link.Destination) is { } arrived && sent.Contains(arrived))
            {
                return Stopwatch.GetElapsedTime(since);
            }
            await Task.Delay(20);
        }
    }

    private async Task<long?> TryReadAsync(Guid destination)
    {
        try
        {
            return (long?)await installation.NumberAsync(destination, "doubled");
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    private async Task<string> StatusAsync(Link link)
    {
        try
        {
            return (await installation.Http.GetFromJsonAsync<JsonElement>($"/api/links/{link.Id}")).ToString();
        }
        catch (Exception error)
        {
            return error.Message;
        }
    }
}
