using Equip.Domain.Access;
using Equip.Domain.Dataspace;
using Equip.Domain.Peers;
using Equip.Infrastructure.Persistence.Configurations;
using Microsoft.EntityFrameworkCore;

namespace Equip.Infrastructure.Persistence;

/// The store's schema, shared by both providers; each subclass carries its own migrations.
public abstract class EquipDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Item> Items => Set<Item>();
    public DbSet<ChangeLogEntry> ChangeLog => Set<ChangeLogEntry>();
    public DbSet<DataspaceState> State => Set<DataspaceState>();
    public DbSet<ClusterState> Cluster => Set<ClusterState>();
    public DbSet<ClusterNode> ClusterNodes => Set<ClusterNode>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<Peer> Peers => Set<Peer>();
    public DbSet<RevisionGapEntry> RevisionGaps => Set<RevisionGapEntry>();
    public DbSet<DeviceKey> DeviceKeys => Set<DeviceKey>();
    public DbSet<EndedSession> EndedSessions => Set<EndedSession>();

    protected abstract string JsonColumnType { get; }

    /// Locks the revision counter's row so that no other writer can take revisions until this
    /// transaction ends; revisions therefore commit in order, even with several server nodes.
    /// Nothing is read: the one writer knows the counter, and overwrites the row at the commit.
    public Task LockStateAsync(CancellationToken cancellationToken) =>
        LockStateSql is { } sql ? Database.ExecuteSqlRawAsync(sql, cancellationToken) : Task.CompletedTask;

    /// The statement that takes that lock, or null where the transaction holds it from its start.
    public abstract string? LockStateSql { get; }

    /// A read-only transaction that sees one consistent snapshot and does not block the writer.
    public abstract Task<IAsyncDisposable> BeginSnapshotAsync(CancellationToken cancellationToken);

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfiguration(new ItemConfiguration(JsonColumnType));
        modelBuilder.ApplyConfiguration(new ChangeLogEntryConfiguration(JsonColumnType));
        modelBuilder.ApplyConfiguration(new DataspaceStateConfiguration());
        modelBuilder.ApplyConfiguration(new RevisionGapConfiguration());
        modelBuilder.ApplyConfiguration(new ClusterStateConfiguration());
        modelBuilder.ApplyConfiguration(new ClusterNodeConfiguration());
        modelBuilder.ApplyConfiguration(new DataProtectionKeyConfiguration());
        modelBuilder.ApplyConfiguration(new PeerConfiguration());
        modelBuilder.ApplyConfiguration(new DeviceKeyConfiguration());
        modelBuilder.ApplyConfiguration(new EndedSessionConfiguration());
    }
}
