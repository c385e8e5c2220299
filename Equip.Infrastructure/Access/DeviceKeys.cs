using System.Collections.Concurrent;
using Equip.Domain.Access;
using Equip.Domain.Dataspace;
using Equip.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Equip.Infrastructure.Access;

/// Device keys: made, listed and revoked here, by REST and the dashboard alike. The store keeps
/// their hashes; this node keeps every key in memory (loaded at start), so that checking a key
/// costs no database round trip, and a revocation takes effect at once.
public sealed partial class DeviceKeys(IDbContextFactory<EquipDbContext> contexts, TimeProvider time, ILogger<DeviceKeys> logger) : IHostedService
{
    private readonly ConcurrentDictionary<string, DeviceKey> _byHash = new(StringComparer.Ordinal);

    /// Raised after a key was revoked, so that connections made with it are closed.
    public event Action<Guid>? Revoked;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        foreach (var key in await db.DeviceKeys.AsNoTracking().ToListAsync(cancellationToken))
        {
            _byHash[key.Hash] = key;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// Takes in the keys another node of the cluster made or revoked (ClusterRefresh); the
    /// connections made here with a key revoked there are closed.
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        foreach (var key in await db.DeviceKeys.AsNoTracking().ToListAsync(cancellationToken))
        {
            var known = _byHash.GetValueOrDefault(key.Hash);
            _byHash[key.Hash] = key;
            if (key.IsRevoked && known is { IsRevoked: false })
            {
                Revoked?.Invoke(key.Id);
            }
        }
    }

    /// The grant of the key with this hash (Keys.Hash), if it exists and is not revoked.
    public DeviceGrant? FindByHash(string hash) =>
        _byHash.TryGetValue(hash, out var found) && !found.IsRevoked ? found.ToGrant() : null;

    /// The grant of a key, by id, unless it was revoked.
    public DeviceGrant? GrantOf(Guid keyId) =>
        _byHash.Values.FirstOrDefault(k => k.Id == keyId) is { IsRevoked: false } key ? key.ToGrant() : null;

    /// Makes a key; the answer holds the key itself, which is not kept and cannot be shown again.
    public async Task<CreatedDeviceKey> CreateAsync(string name, IReadOnlyList<string>? containerIds, IReadOnlyList<string>? peerIds, CancellationToken cancellationToken)
    {
        var secret = Keys.Generate(Keys.DevicePrefix);
        var key = DeviceKey.Create(Guid.CreateVersion7(), name, Keys.Hash(secret), Keys.Shown(secret), containerIds ?? [], peerIds ?? [], time.GetUtcNow());
        await using var db = contexts.CreateDbContext();
        db.DeviceKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        _byHash[key.Hash] = key;
        KeyMade(logger, key.Name, key.Prefix);
        return new CreatedDeviceKey(key.ToView(), secret);
    }

    public async Task<IReadOnlyList<DeviceKeyView>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var keys = await db.DeviceKeys.AsNoTracking().ToListAsync(cancellationToken);
        return keys.OrderBy(k => k.CreatedAt).Select(k => k.ToView()).ToList();
    }

    /// Revokes a key for good; connections made with it are closed at once.
    public async Task<DeviceKeyView> RevokeAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var key = await db.DeviceKeys.SingleOrDefaultAsync(k => k.Id == id, cancellationToken) ?? throw new DeviceKeyNotFoundException(id);
        key.Revoke(time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        _byHash[key.Hash] = key;
        KeyRevoked(logger, key.Name, key.Prefix);
        Revoked?.Invoke(key.Id);
        return key.ToView();
    }

    [LoggerMessage(1, LogLevel.Information, "Device key '{Name}' ({Prefix}…) made.")]
    private static partial void KeyMade(ILogger logger, string name, string prefix);

    [LoggerMessage(2, LogLevel.Information, "Device key '{Name}' ({Prefix}…) revoked; its connections are closed.")]
    private static partial void KeyRevoked(ILogger logger, string name, string prefix);
}

/// A key as made: its view, and the key itself (shown this once).
public sealed record CreatedDeviceKey(DeviceKeyView Key, string Secret);

public sealed class DeviceKeyNotFoundException(Guid id) : DataspaceException($"No device key has id {id}.");
