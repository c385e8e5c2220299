using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Xunit.Abstractions;

namespace Equip.Tests.Security.Fuzz;

/// One run of a fuzz test: every input drawn from one CsCheck random stream, so that a run is
/// repeated exactly by its seed (EQUIP_FUZZ_SEED=<seed>; a random one when unset), within a
/// time bound. Tallies what the server answered, for the test's output.
internal sealed class FuzzRun(ITestOutputHelper output, PCG random, string seed)
{
    public const string SeedVariable = "EQUIP_FUZZ_SEED";

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly SortedDictionary<string, int> _answers = new(StringComparer.Ordinal);
    private readonly List<Guid> _made = [];

    public string Seed { get; } = seed;

    public int Count { get; private set; }

    public TimeSpan Elapsed => _clock.Elapsed;

    public static FuzzRun Start(ITestOutputHelper output)
    {
        var given = Environment.GetEnvironmentVariable(SeedVariable);
        var random = string.IsNullOrWhiteSpace(given) ? new PCG((uint)Random.Shared.Next(), (ulong)Random.Shared.NextInt64()) : PCG.Parse(given.Trim());
        var seed = random.ToString();
        output.WriteLine($"Fuzz seed {seed} (repeat the run with {SeedVariable}={seed}).");
        return new FuzzRun(output, random, seed);
    }

    public T Next<T>(Gen<T> gen) => Next(gen, counted: true);

    private T Next<T>(Gen<T> gen, bool counted)
    {
        Count += counted ? 1 : 0;
        return gen.Generate(random, null, out _);
    }

    /// Remembers the ids of the items the fuzz made, from an answer's "id" (or its list's).
    public void MadeFrom(JsonNode? answer)
    {
        foreach (var made in answer is JsonArray list ? [.. list] : new[] { answer })
        {
            if (made is JsonObject item && item["id"]?.GetValueKind() == JsonValueKind.String && Guid.TryParse(item["id"]!.GetValue<string>(), out var id) && !_made.Contains(id))
            {
                _made.Add(id);
            }
        }
    }

    /// The input's text with each stand-in for an item of the fuzz's own replaced by one of them.
    public string Own(string text) =>
        text.Contains(FuzzShapes.Own, StringComparison.Ordinal)
            ? text.Replace(FuzzShapes.Own, _made.Count == 0 ? Guid.Empty.ToString() : _made[Next(Gen.Int[0, _made.Count - 1], counted: false)].ToString(), StringComparison.Ordinal)
            : text;

    public void Tally(string answer) => _answers[answer] = _answers.GetValueOrDefault(answer) + 1;

    /// Why the run failed, with what it takes to repeat it.
    public string Failure(object input, string what) =>
        $"Input {Count} of the run with seed {Seed} ({SeedVariable}={Seed} repeats it): {what}\n  {input}";

    public void Report(string what)
    {
        output.WriteLine($"{what}: {Count} inputs in {Elapsed.TotalSeconds:0.0} s.");
        foreach (var (answer, count) in _answers)
        {
            output.WriteLine($"  {answer}: {count}");
        }
    }
}
