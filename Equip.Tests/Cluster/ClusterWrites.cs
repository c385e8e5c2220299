using System.Net;
using System.Net.Http.Json;
using Equip.Testing;

namespace Equip.Tests.Cluster;

/// Durable writes made while a cluster fails over: an empty item posted through a node (or the
/// balancer), refusals and lost connections retried.
internal static class ClusterWrites
{
    /// One write of the item: whether it was acknowledged (201, or 200 when an earlier try of the
    /// same id was stored but its answer lost).
    public static async Task<bool> TryAsync(Uri address, Guid id, string type, CancellationToken stop = default)
    {
        try
        {
            using var rest = TestHttp.Client(address, TimeSpan.FromSeconds(5));
            var posted = await rest.PostAsJsonAsync("/api/items", new { id, type, fields = new { } }, stop);
            return posted.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK;
        }
        catch (Exception unreachable) when (unreachable is HttpRequestException or OperationCanceledException)
        {
            return false;
        }
    }

    /// Writes one item until it is acknowledged (a minute at most: a node killed, the others
    /// restarting after it); its id. The address is asked again on each try (a node restarted).
    public static async Task<Guid> UntilAcknowledgedAsync(Func<Uri> address, string type, Func<string>? diagnosis = null)
    {
        var id = Guid.NewGuid();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (!await TryAsync(address(), id, type))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No write through {address()} was acknowledged within a minute.\n{diagnosis?.Invoke()}");
            }
            await Task.Delay(200);
        }
        return id;
    }
}
