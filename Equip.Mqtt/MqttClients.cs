using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Equip.Domain.Access;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Infrastructure.Access;
using Equip.Protocol;
using Microsoft.Extensions.Logging;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Equip.Mqtt;

/// MQTT connections as peer associations (docs/mqtt.md, Connections): the key at CONNECT (the
/// password), the client id as the peer id, a clean session as a new incarnation; a DISCONNECT
/// ends the association at once, any other end (a dropped socket, a keep-alive timeout) leaves
/// the peer reconnecting for the grace period, as a lost hub connection does. Each client is
/// also an ect.Container (no capabilities) so that it shows among the installation's devices.
internal sealed partial class MqttClients(
    AdminKey admin,
    DeviceKeys keys,
    IPeerSessions peers,
    IDataspace dataspace,
    ILogger<MqttClients> logger)
{
    private const string GrantItem = "equip.grant", CleanItem = "equip.clean";
    private readonly ConcurrentDictionary<string, Connection> _connections = new();
    private readonly ConcurrentDictionary<string, string> _incarnations = new();
    private MqttServer? _server;

    /// The device key a client connected with (null for the admin key).
    public static DeviceGrant? GrantOf(System.Collections.IDictionary sessionItems) =>
        sessionItems[GrantItem] as DeviceGrant;

    public void Attach(MqttServer server)
    {
        _server = server;
        server.ValidatingConnectionAsync += ValidateAsync;
        server.ClientConnectedAsync += args => Connected(args.ClientId, args.UserName, args.RemoteEndPoint, args.SessionItems);
        server.ClientDisconnectedAsync += DisconnectedAsync;
        keys.Revoked += keyId => _ = DisconnectMadeWithAsync(keyId);
    }

    private Task ValidateAsync(ValidatingConnectionEventArgs args)
    {
        var key = args.Password;
        var hash = key is { Length: >= Keys.MinLength and <= Keys.MaxLength } ? Keys.Hash(key) : null;
        DeviceGrant? grant = null;
        if (hash is null || !admin.MatchesHash(hash) && (grant = keys.FindByHash(hash)) is null)
        {
            Refuse(args, MqttConnectReasonCode.NotAuthorized, key is null ? "Send a key as the password: the admin key or a device key." : "The key is unknown or revoked.");
            return Task.CompletedTask;
        }
        if (args.ClientId == MqttBroker.PeerId)
        {
            Refuse(args, MqttConnectReasonCode.ClientIdentifierNotValid, $"Client id '{MqttBroker.PeerId}' is the broker's own.");
            return Task.CompletedTask;
        }
        try
        {
            PeerRules.ValidateRegistration(args.ClientId, "mqtt", args.UserName);
            grant?.EnsurePermitsPeer(args.ClientId);
        }
        catch (DataspaceException refused)
        {
            Refuse(args, refused is NotPermittedException ? MqttConnectReasonCode.NotAuthorized : MqttConnectReasonCode.ClientIdentifierNotValid, refused.Message);
            return Task.CompletedTask;
        }
        if (grant is not null)
        {
            args.SessionItems[GrantItem] = grant;
        }
        args.SessionItems[CleanItem] = args.CleanSession ?? true;
        return EarlierEndAsync(args.ClientId);
    }

    private void Refuse(ValidatingConnectionEventArgs args, MqttConnectReasonCode code, string why)
    {
        args.ReasonCode = code;
        args.ReasonString = why;
        ConnectRefused(logger, args.ClientId, args.RemoteEndPoint?.ToString() ?? "?", why);
    }

    private Task Connected(string clientId, string? userName, EndPoint? remote, System.Collections.IDictionary sessionItems)
    {
        var clean = sessionItems[CleanItem] is true;
        var incarnation = clean ? Guid.NewGuid().ToString() : _incarnations.GetOrAdd(clientId, _ => Guid.NewGuid().ToString());
        _incarnations[clientId] = incarnation;
        var grant = GrantOf(sessionItems);
        var registering = RegisterAsync(clientId, incarnation, userName, remote, grant);
        _connections[clientId] = new Connection(registering, grant?.KeyId, remote);
        return registering;
    }

    private async Task<PeerActor?> RegisterAsync(string clientId, string incarnation, string? userName, EndPoint? remote, DeviceGrant? grant)
    {
        var name = string.IsNullOrEmpty(userName) ? clientId : userName;
        PeerActor actor;
        try
        {
            actor = (await peers.RegisterAsync(clientId, incarnation, name, grant, CancellationToken.None)).Actor;
        }
        catch (DataspaceException refused)
        {
            RegistrationFailed(logger, clientId, refused.Message);
            if (_server is { } server && _incarnations.TryGetValue(clientId, out var current) && current == incarnation)
            {
                _ = server.DisconnectClientAsync(clientId, MqttDisconnectReasonCode.NotAuthorized); // not a newer connection of the same id
            }
            return null;
        }
        if (grant?.RefusalOfContainer(clientId) is null)
        {
            try
            {
                var container = new ContainerFields(clientId, name, (remote as IPEndPoint)?.Address.ToString(), new Dictionary<string, string> { ["protocol"] = "mqtt" });
                await dataspace.AddAsync(new AddItem(Ect.ContainerItemId(clientId), Ect.Container, EctJson.Write(container), clientId, ProcessBound: true, By: actor));
            }
            catch (DataspaceException)
            {
                // a newer connection of the client replaced this one meanwhile: it publishes the container
            }
        }
        if (Registered is { } registered)
        {
            await registered(actor);
        }
        return actor;
    }

    /// A client registered as a peer (a new association: its first connection, or again).
    public event Func<PeerActor, Task>? Registered;

    private async Task DisconnectedAsync(ClientDisconnectedEventArgs args)
    {
        if (args.DisconnectType == MqttClientDisconnectType.Takeover
            || !_connections.TryGetValue(args.ClientId, out var connection)
            || !Equals(connection.Remote, args.RemoteEndPoint))
        {
            // A newer connection of the client registered a newer association: it took this one
            // over, or came once this one had gone but before the broker said so (its end must not
            // end the newer association).
            return;
        }
        _connections.TryRemove(new KeyValuePair<string, Connection>(args.ClientId, connection));
        try
        {
            if (await connection.Registering is not { } actor)
            {
                return;
            }
            if (args.DisconnectType == MqttClientDisconnectType.Clean)
            {
                await peers.EndAsync(actor, CancellationToken.None);
            }
            else
            {
                await peers.DisconnectAsync(actor, CancellationToken.None);
            }
        }
        finally
        {
            connection.Ended.TrySetResult();
        }
    }

    /// The peer association a connected client writes as, once registered.
    public async ValueTask<PeerActor?> ActorOfAsync(string clientId) =>
        _connections.TryGetValue(clientId, out var connection) ? await connection.Registering : null;

    private async Task DisconnectMadeWithAsync(Guid keyId)
    {
        foreach (var (clientId, connection) in _connections)
        {
            if (connection.KeyId == keyId && _server is { } server)
            {
                try
                {
                    await server.DisconnectClientAsync(clientId, MqttDisconnectReasonCode.NotAuthorized);
                }
                catch (InvalidOperationException)
                {
                    // gone meanwhile
                }
            }
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Refused MQTT client '{ClientId}' from {Remote}: {Reason}", EventName = "MqttConnectRefused")]
    private static partial void ConnectRefused(ILogger logger, string clientId, string remote, string reason);

    [LoggerMessage(2, LogLevel.Warning, "MQTT client '{ClientId}' could not register as a peer: {Reason}", EventName = "MqttRegistrationFailed")]
    private static partial void RegistrationFailed(ILogger logger, string clientId, string reason);
}
