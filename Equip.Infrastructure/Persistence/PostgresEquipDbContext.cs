using System.Data;
using Equip.Infrastructure.Cluster;
using Microsoft.EntityFrameworkCore;

namespace Equip.Infrastructure.Persistence;

public sealed class PostgresEquipDbContext(DbContextOptions<PostgresEquipDbContext> options) : EquipDbContext(options)
{
    protected override string JsonColumnType => "json";

    /// The term this node commits in when it is a cluster's leader (docs/scaling.md).
    internal StoreFence? Fence { get; set; }

    /// Locks the state row; in a cluster, in the same statement, fails (division by zero, which
    /// aborts the transaction and everything in it) unless the store's term is still the leader's.
    public override string LockStateSql => Fence?.Term is { } term
        ? $"""SELECT 1 / (CASE WHEN c."Term" = {term} THEN 1 ELSE 0 END) FROM dataspace_state s, cluster_state c WHERE s."Id" = 1 AND c."Id" = 1 FOR UPDATE OF s"""
        : """SELECT 1 FROM dataspace_state WHERE "Id" = 1 FOR UPDATE""";

    public override async Task<IAsyncDisposable> BeginSnapshotAsync(CancellationToken cancellationToken) =>
        await Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
}
