using System.IO.Pipelines;

namespace Equip.Web.Hubs.Connections;

/// A connection's transport whose reader reports every read that brought bytes.
internal sealed class WatchedTransport(IDuplexPipe inner, Action heard) : IDuplexPipe
{
    public PipeReader Input { get; } = new Reader(inner.Input, heard);

    public PipeWriter Output => inner.Output;

    private sealed class Reader(PipeReader inner, Action heard) : PipeReader
    {
        public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            var pending = inner.ReadAsync(cancellationToken);
            return pending.IsCompletedSuccessfully ? new ValueTask<ReadResult>(Seen(pending.Result)) : AwaitAsync(pending);
        }

        public override bool TryRead(out ReadResult result)
        {
            if (!inner.TryRead(out result))
            {
                return false;
            }
            Seen(result);
            return true;
        }

        private async ValueTask<ReadResult> AwaitAsync(ValueTask<ReadResult> pending) => Seen(await pending);

        private ReadResult Seen(ReadResult result)
        {
            if (!result.Buffer.IsEmpty)
            {
                heard();
            }
            return result;
        }
    }
}
