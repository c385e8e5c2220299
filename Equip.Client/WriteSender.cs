using Equip.Protocol;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Equip.Client;

/// One connection to the server, with the client's own writes on their way over it: pipelined
/// updates, and SetValues frames waiting for their acknowledgement, in the order sent.
internal sealed class ClientConnection(HubConnection hub)
{
    private readonly Queue<(long Sequence, List<PendingWrite> Values)> _frames = new();
    private int _inFlight;
    private long _sequence;

    public HubConnection Hub => hub;

    /// Values and pipelined updates sent and not yet answered.
    public int InFlight => Volatile.Read(ref _inFlight);

    public void Sent(int count = 1) => Interlocked.Add(ref _inFlight, count);

    public void Answered(int count = 1) => Interlocked.Add(ref _inFlight, -count);

    /// Numbers a frame of values about to be sent and remembers it until acknowledged.
    public long Frame(List<PendingWrite> values)
    {
        lock (_frames)
        {
            var sequence = ++_sequence;
            _frames.Enqueue((sequence, values));
            Sent(values.Count);
            return sequence;
        }
    }

    /// The frames an acknowledgement through the sequence covers, oldest first.
    public List<(long Sequence, List<PendingWrite> Values)> Acknowledged(long sequence)
    {
        var covered = new List<(long, List<PendingWrite>)>();
        lock (_frames)
        {
            while (_frames.TryPeek(out var frame) && frame.Sequence <= sequence)
            {
                covered.Add(_frames.Dequeue());
            }
        }
        covered.ForEach(f => Answered(f.Item2.Count));
        return covered;
    }
}

/// Sends the client's own writes over a connection, in the order they were made. Unreliable value
/// updates are pipelined: each goes without waiting for the answers to those before it (up to
/// maxInFlight on their way), and the server handles one connection's calls in order. Any other
/// write waits until everything before it was answered, and for its own answer before the next.
internal sealed class WriteSender(PendingWrites pending, OwnedItems owned, int maxInFlight, Action answered)
{
    private const int OwnDeleteAttempts = 5;
    private readonly RateLimitPause _pause = new(answered);

    /// Sends the next write, or sets it on its way; false when there is nothing to send now
    /// (nothing queued, or the server asked this connection to slow down).
    public async Task<bool> SendNextAsync(ClientConnection connection, CancellationToken stop)
    {
        if (_pause.IsPaused || pending.Next(connection) is not { } write)
        {
            return false;
        }
        if (write.IsValue)
        {
            if (connection.InFlight >= maxInFlight)
            {
                return false;
            }
            await SendValuesAsync(connection, stop);
            return true;
        }
        if (write.IsSquashable)
        {
            if (connection.InFlight >= maxInFlight)
            {
                return false;
            }
            Pipeline(connection, write, stop);
            return true;
        }
        if (connection.InFlight > 0)
        {
            return false;
        }
        if (write.OnlyWhileOwned)
        {
            await SendOwnDeleteAsync(connection.Hub, write, stop);
            return true;
        }
        await SendAsync(connection, write, stop);
        return true;
    }

    /// The values queued next to one another, as one SetValues frame, sent without waiting: the
    /// server's ValuesApplied answers them (see Applied).
    private async Task SendValuesAsync(ClientConnection connection, CancellationToken stop)
    {
        var values = pending.TakeValues(connection, maxInFlight - connection.InFlight);
        foreach (var value in values)
        {
            value.Retried = true;
        }
        var entries = new ValueEntry[values.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = new ValueEntry(values[i].ItemId, values[i].TakeValue());
        }
        var sequence = connection.Frame(values);
        var request = new SetValuesRequest { Sequence = sequence, Values = entries };
        await connection.Hub.SendAsync(HubNames.SetValues, request, stop);
    }

    /// The server applied (or refused) one SetValues of this connection. The calls sent before it
    /// and not acknowledged were not readable: the server dropped them, and their values fail.
    public void Applied(ClientConnection connection, ValuesAppliedMessage applied, Action<PendingWrite, long> acknowledged)
    {
        foreach (var (sequence, values) in connection.Acknowledged(applied.Sequence))
        {
            if (sequence != applied.Sequence || applied.Revisions.Count != values.Count)
            {
                var unread = new EquipRefusedException(HubErrors.Invalid, $"{HubErrors.Invalid}: The server did not read SetValues {sequence}.");
                values.ForEach(v => Refuse(v, unread));
                continue;
            }
            for (var i = 0; i < values.Count; i++)
            {
                var write = values[i];
                var revision = applied.Revisions[i];
                var refusal = revision > 0 ? null : applied.Refused.FirstOrDefault(r => r.Index == i || r.Index is null);
                if (refusal?.Code == HubErrors.Stopping)
                {
                    pending.NotSent(write, connection); // not applied: it goes again on the next connection
                }
                else if (refusal is not null)
                {
                    Refuse(write, new EquipRefusedException(refusal.Code, $"{refusal.Code}: {refusal.Message}"));
                }
                else
                {
                    pending.Remove(write);
                    acknowledged(write, revision);
                    write.Applied(revision);
                }
            }
        }
        answered();
    }

    private void Refuse(PendingWrite write, EquipRefusedException refused)
    {
        pending.Remove(write);
        write.Fail(refused);
    }

    private void Pipeline(ClientConnection connection, PendingWrite write, CancellationToken stop)
    {
        pending.Sending(write, connection);
        connection.Sent();
        write.Retried = true;
        _ = AnswerAsync(connection, write, connection.Hub.InvokeAsync<WireItem>(write.Method, write.Argument, stop));
    }

    private async Task AnswerAsync(ClientConnection connection, PendingWrite write, Task<WireItem> call)
    {
        try
        {
            Acknowledge(write, await call);
        }
        catch (HubException refused)
        {
            // A value refused for the rate limit is dropped (a newer one follows); sending pauses.
            _pause.PauseIfRateLimited(refused);
            pending.Remove(write);
            write.Fail(ToRefusal(refused));
        }
        catch (Exception)
        {
            pending.NotSent(write, connection); // the connection broke: sent again on the next
        }
        finally
        {
            connection.Answered();
            answered();
        }
    }

    private async Task SendAsync(ClientConnection connection, PendingWrite write, CancellationToken stop)
    {
        WireItem? result = null;
        var resent = write.Retried;
        write.Retried = true;
        pending.Sending(write, connection);
        try
        {
            if (write.IsDelete)
            {
                await connection.Hub.InvokeAsync(write.Method, write.Argument, stop);
            }
            else
            {
                result = await connection.Hub.InvokeAsync<WireItem>(write.Method, write.Argument, stop);
            }
        }
        catch (HubException refused) when (_pause.PauseIfRateLimited(refused))
        {
            pending.NotSent(write, connection); // kept, in its place, and sent once the pause is over
            return;
        }
        catch (HubException refused) when (!IsAlreadyGone(write, resent, refused))
        {
            pending.Remove(write);
            write.Fail(ToRefusal(refused));
            return;
        }
        catch (HubException)
        {
            // The item is gone, as asked (see IsAlreadyGone).
        }
        catch (Exception)
        {
            pending.NotSent(write, connection);
            throw;
        }
        Acknowledge(write, result);
    }

    private void Acknowledge(PendingWrite write, WireItem? result)
    {
        owned.Acknowledged(write, result);
        pending.Remove(write);
        write.Succeed(result);
    }

    /// A delete answered not-found has what it asked for when it was resent (the first sending took
    /// effect before the connection broke) or the item was this peer's own (the server removed it
    /// meanwhile: the session's grace period ended while this peer was away).
    private bool IsAlreadyGone(PendingWrite write, bool resent, HubException refused) =>
        write.IsDelete && HubErrors.CodeOf(refused.Message) == HubErrors.NotFound && (resent || owned.Contains(write.ItemId));

    /// A delete at the revision this peer knows; when the item changed since, it is read again and
    /// deleted at its new revision only if this peer is still responsible for it.
    private async Task SendOwnDeleteAsync(HubConnection connection, PendingWrite write, CancellationToken stop)
    {
        var known = owned.KnownRevision(write.ItemId);
        for (var attempt = 0; known is { } revision && attempt < OwnDeleteAttempts; attempt++)
        {
            try
            {
                await connection.InvokeAsync(HubNames.Delete, new DeleteRequest { Id = write.ItemId, ExpectedRevision = revision }, stop);
                break;
            }
            catch (HubException refused) when (HubErrors.CodeOf(refused.Message) == HubErrors.RevisionMismatch)
            {
                var stored = await connection.InvokeAsync<WireItem?>(HubNames.Get, write.ItemId, stop);
                known = stored?.Responsible == owned.PeerId ? stored.Revision : null;
            }
            catch (HubException refused) when (HubErrors.CodeOf(refused.Message) == HubErrors.NotFound)
            {
                break;
            }
            catch (HubException refused)
            {
                pending.Remove(write);
                write.Fail(ToRefusal(refused));
                return;
            }
        }
        owned.Forget(write.ItemId);
        pending.Remove(write);
        write.Succeed(null);
    }

    private static EquipRefusedException ToRefusal(HubException refused) =>
        new(HubErrors.CodeOf(refused.Message) ?? "error", refused.Message);
}
