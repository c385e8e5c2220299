using Equip.Protocol;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Equip.Client;

/// One connection to the server, with the client's own writes on their way over it.
internal sealed class ClientConnection(HubConnection hub)
{
    private int _inFlight;

    public HubConnection Hub => hub;

    public int InFlight => Volatile.Read(ref _inFlight);

    public void Sent() => Interlocked.Increment(ref _inFlight);

    public void Answered() => Interlocked.Decrement(ref _inFlight);
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
