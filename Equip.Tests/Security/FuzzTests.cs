using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Equip.Protocol;
using Equip.Tests.Conformance;
using Equip.Tests.Security.Fuzz;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Equip.Tests.Security;

/// Random and malformed input, thousands of times, bounded in time: the server answers each REST
/// request with 2xx or a 4xx problem (never 5xx), each hub call with a result or a hub error with
/// its code (never a dropped connection), stays up, keeps every item it had, and logs no error.
/// EQUIP_FUZZ_SEED=<seed> repeats a run (each run prints its seed).
public sealed class FuzzTests(ITestOutputHelper output) : SecurityServer
{
    private const int RestRequests = 4000;
    private const int HubCalls = 4000;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RestAnswersRandomAndMalformedRequestsWithClientErrors()
    {
        await using var bystanders = await Bystanders.AddAsync(Server);
        var inputs = Gen.Frequency((15, RestInputs.Any), (1, RestInputs.AgainstBystander(bystanders.Ids)));
        using var client = Server.NewClient();
        var run = FuzzRun.Start(output);
        while (run.Count < RestRequests && run.Elapsed < Bound)
        {
            var input = Owned(run.Next(inputs), run);
            using var response = await SendAsync(client, input, run);
            var status = (int)response.StatusCode;
            // What a POST made becomes the fuzz's own to aim at; what reads list (bystanders among it) does not.
            if (status == 201 && input.Method == "POST" && response.Content.Headers.ContentType?.MediaType == "application/json")
            {
                run.MadeFrom(JsonNode.Parse(await response.Content.ReadAsStringAsync()));
            }
            run.Tally($"{input.Method} {status}");
            Assert.True(status < 500, run.Failure(input, $"answered {status}: {await response.Content.ReadAsStringAsync()}"));
            // Kestrel refuses a request it cannot parse (an encoded NUL in its path, a request line
            // too long) itself, before any middleware: a bare 400 or 414 that closes the connection.
            if (status >= 400 && response.Headers.ConnectionClose != true)
            {
                Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json",
                    run.Failure(input, $"answered {status} without problem details ({response.Content.Headers.ContentType})."));
            }
        }
        run.Report("REST");
        Assert.True(run.Count >= 2000, $"Only {run.Count} requests within {Bound}.");
        await AfterwardsAsync(bystanders);
    }

    [Fact]
    public async Task HubAnswersRandomArgumentSetsWithResultsOrCodedErrors()
    {
        await using var bystanders = await Bystanders.AddAsync(Server);
        await using var peers = await FuzzPeers.ConnectAsync(Server.Address);
        var inputs = HubInputs.Any(bystanders.Ids);
        var run = FuzzRun.Start(output);
        while (run.Count < HubCalls && run.Elapsed < Bound)
        {
            var input = run.Next(inputs);
            input = input with { Arguments = [.. input.Arguments.Select(run.Own)] };
            var (hub, completion) = await peers.CallAsync(input, run.Count);
            Assert.True(completion is not null, run.Failure(input, "got no completion: the connection closed."));
            var code = completion.Error is null ? "result" : HubErrors.CodeOf(completion.Error);
            run.Tally($"{input.Target} {code ?? "uncoded"}");
            Assert.True(code is not null, run.Failure(input, $"failed without a code: {completion.Error}"));
            Assert.False(hub.IsClosed, run.Failure(input, "closed the connection."));
            if (input.Target == HubNames.Add)
            {
                run.MadeFrom(completion.Result);
            }
            await peers.RenewFreshAfterAsync(input, completion);
        }
        run.Report("Hub");
        Assert.True(run.Count >= 2000, $"Only {run.Count} calls within {Bound}.");
        await peers.AssertOpenAsync();
        await AfterwardsAsync(bystanders);
    }

    /// Frames that are no invocation the server could answer (not JSON, no type, no target, an
    /// invocation id that is not a string): SignalR closes their connection, and only theirs.
    [Fact]
    public async Task MalformedHubFramesCloseOnlyTheirOwnConnection()
    {
        await using var bystanders = await Bystanders.AddAsync(Server);
        byte[][] frames =
        [
            Encoding.UTF8.GetBytes("{\"type\":1,\"invocationId\":\"1\",\"target\":\"Get\",\"arguments\":[\u001e"),
            Encoding.UTF8.GetBytes("not json\u001e"),
            Encoding.UTF8.GetBytes("{\"type\":1,\"invocationId\":2,\"target\":\"Get\",\"arguments\":[]}\u001e"),
            Encoding.UTF8.GetBytes("{\"invocationId\":\"1\",\"target\":\"Get\",\"arguments\":[]}\u001e"),
            Encoding.UTF8.GetBytes("{\"type\":1,\"invocationId\":\"1\",\"arguments\":[]}\u001e"),
            [0xFF, 0xFE, 0x1E],
        ];
        foreach (var frame in frames)
        {
            var hub = await WireHub.ConnectAsync(Server.Address, WireFormat.Json);
            await using (hub)
            {
                await hub.SendRawAsync(frame);
                await hub.UntilClosedAsync(Support.Wait.Timeout);
            }
        }
        await AfterwardsAsync(bystanders);
    }

    /// The server still answers, every bystander is as it was, and nothing was logged as an error.
    private async Task AfterwardsAsync(Bystanders bystanders)
    {
        using var client = Server.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
        await bystanders.AssertIntactAsync(Server);
        var errors = Server.Logs.AtLeast(LogLevel.Error);
        Assert.True(errors.Count == 0, "Logged as errors: " + string.Join("\n", errors.Take(5).Select(e => $"{e.Category}: {e.Message} {e.Exception}")));
        var warnings = Server.Logs.AtLeast(LogLevel.Warning).GroupBy(e => e.EventName).Select(g => $"{g.Key} {g.Count()}");
        output.WriteLine("Warnings logged: " + string.Join(", ", warnings));
    }

    /// The request with the stand-ins for the fuzz's own items filled in.
    private static RestInput Owned(RestInput input, FuzzRun run) => input with
    {
        Path = run.Own(input.Path),
        Body = input.Body is null ? null : Encoding.Latin1.GetBytes(run.Own(Encoding.Latin1.GetString(input.Body))),
    };

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, RestInput input, FuzzRun run)
    {
        using var request = new HttpRequestMessage(new HttpMethod(input.Method), new Uri(input.Path, UriKind.Relative));
        if (input.Body is not null)
        {
            request.Content = new ByteArrayContent(input.Body);
            // A body over the limit is refused from its Content-Length, and the connection closed:
            // asking first lets the client hear the 413 rather than a broken pipe mid-upload.
            request.Headers.ExpectContinue = input.Body.Length > 1024 * 1024;
            if (input.ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", input.ContentType);
            }
        }
        if (input.IfMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", input.IfMatch);
        }
        try
        {
            return await client.SendAsync(request);
        }
        catch (HttpRequestException failed)
        {
            throw new InvalidOperationException(run.Failure(input, $"no answer: {failed.Message} {failed.InnerException?.Message}"), failed);
        }
    }
}
