using System.Net;
using Equip.Domain.Peers;
using MQTTnet.Server;

namespace Equip.Mqtt;

internal sealed partial class MqttClients
{
    /// How long a connection waits for the end of an earlier connection of its client id.
    private static readonly TimeSpan EarlierEndWait = TimeSpan.FromSeconds(2);

    /// Waits, before a connection is accepted, until an earlier connection of the same client id
    /// that is ending (it said DISCONNECT, or its socket closed) has ended, association included.
    /// MQTTnet 5.2 ends a connection by deleting the session of its client id, whichever
    /// connection holds that session by then: a client that connected again in the moment between
    /// its DISCONNECT and that deletion lost its new session and was dropped (a script running
    /// mosquitto_pub once per value met it). An earlier connection that is still open is not
    /// waited for: the new one takes it over, as MQTT says.
    private async Task EarlierEndAsync(string clientId)
    {
        if (_server is not { } server || !_connections.TryGetValue(clientId, out var earlier))
        {
            return;
        }
        MqttSessionStatus session;
        try
        {
            session = await server.GetSessionAsync(clientId);
        }
        catch (InvalidOperationException)
        {
            return; // deleted already: nothing of the earlier connection is left to delete
        }
        if (session.DisconnectedTimestamp is null)
        {
            return;
        }
        try
        {
            await earlier.Ended.Task.WaitAsync(EarlierEndWait);
        }
        catch (TimeoutException)
        {
            // taken over by a third connection meanwhile (MQTTnet then reports no end): go on
        }
    }

    /// A connected client: its registration as a peer (null once refused), the device key it
    /// connected with (null for the admin key), even while it registers, where it connected from
    /// (which tells its end from that of a newer connection of the same client id), and its end
    /// (set once the broker has ended it and its association has been ended or left reconnecting).
    private sealed record Connection(Task<PeerActor?> Registering, Guid? KeyId, EndPoint? Remote)
    {
        public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
