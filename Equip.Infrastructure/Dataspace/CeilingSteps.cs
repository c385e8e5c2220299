using System.Diagnostics;

namespace Equip.Infrastructure.Dataspace;

/// How far above its revision a commit or flush puts the revision ceiling (architecture.md,
/// "Revisions after a crash"). The writer hands out revisions up to the stored ceiling freely; to
/// pass it, a batch must commit, and a commit waits for the flush under way. Under heavy value
/// load a flush takes seconds, so the ceiling must stay that far ahead at the writer's pace: the
/// step is the most of a minimum, four times the revisions handed out since the last commit or
/// flush started, and what the writer hands out in Horizon at its highest recent pace (a second or
/// more at a time, the highest of them halving every Horizon).
/// With a fixed step of 100,000 the writer reached the ceiling three times in one fan-in run
/// (117,000 events/s), each time waiting seconds for a flush (p99 3.1 s; 0.2 s without).
/// Writer's thread only.
internal sealed class CeilingSteps
{
    internal const long Minimum = 100_000;

    /// How long the ceiling lasts at the current pace, without another commit or flush.
    internal static readonly TimeSpan Horizon = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan PaceWindow = TimeSpan.FromSeconds(1);

    private long _revisionAtLastStore;
    private long _paceFromRevision;
    private long _paceFromTimestamp;
    private double _pace;

    public void Load(long revision)
    {
        _revisionAtLastStore = revision;
        _paceFromRevision = revision;
        _paceFromTimestamp = Stopwatch.GetTimestamp();
    }

    /// A commit or flush starts storing through the revision: how far above it its ceiling goes.
    public long Next(long revision)
    {
        var now = Stopwatch.GetTimestamp();
        var elapsed = Stopwatch.GetElapsedTime(_paceFromTimestamp, now);
        if (elapsed >= PaceWindow)
        {
            // The highest recent pace, halving every Horizon: a second in which the writer waited
            // (for a flush, at the ceiling) must not shrink the next step and bring the next wait.
            var pace = (revision - _paceFromRevision) / elapsed.TotalSeconds;
            _pace = Math.Max(pace, _pace * Math.Pow(0.5, elapsed / Horizon));
            _paceFromRevision = revision;
            _paceFromTimestamp = now;
        }
        var step = Math.Max(Minimum, Math.Max(4 * (revision - _revisionAtLastStore), (long)(_pace * Horizon.TotalSeconds)));
        _revisionAtLastStore = revision;
        return step;
    }
}
