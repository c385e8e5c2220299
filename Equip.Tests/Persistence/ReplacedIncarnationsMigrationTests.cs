using Equip.Domain.Peers;
using Equip.Infrastructure.Persistence;
using Equip.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Equip.Tests.Persistence;

/// A store made before peers kept a list of replaced incarnations keeps the one it had: the
/// upgrade must not let that incarnation come back.
public abstract class ReplacedIncarnationsMigrationTests
{
    protected abstract DatabaseProvider Provider { get; }

    protected abstract Task<string> NewDatabaseAsync();

    /// A peer row as the schema before the migration holds it (times: each provider's own type).
    protected abstract string InsertPeer(string peerId, string? replaced);

    [Fact]
    public async Task TheReplacedIncarnationOfAnOlderStoreBecomesTheFirstOfTheList()
    {
        await using var db = EquipDbContextFactory.Create(Provider, await NewDatabaseAsync()).CreateDbContext();
        var migrations = db.Database.GetMigrations().ToList();
        var before = migrations[migrations.FindIndex(m => m.EndsWith("_ReplacedIncarnations", StringComparison.Ordinal)) - 1];
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync(before);
        await db.Database.ExecuteSqlRawAsync(InsertPeer("lamp-1", "inc-a"));
        await db.Database.ExecuteSqlRawAsync(InsertPeer("lamp-2", null));

        await migrator.MigrateAsync();

        var peers = await db.Peers.AsNoTracking().OrderBy(p => p.PeerId).ToListAsync();
        Assert.Equal(["inc-a"], peers[0].ReplacedIncarnations);
        Assert.Empty(peers[1].ReplacedIncarnations);
        Assert.Throws<StaleIncarnationException>(() => peers[0].Connect("inc-a", "lamp", 9, DateTimeOffset.UtcNow));
    }
}

public sealed class SqliteReplacedIncarnationsMigrationTests : ReplacedIncarnationsMigrationTests, IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("equip-migration-");

    protected override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override Task<string> NewDatabaseAsync() => Task.FromResult($"Data Source={Path.Combine(_directory.FullName, "equip.db")};Pooling=false");

    protected override string InsertPeer(string peerId, string? replaced) =>
        $"INSERT INTO peers (PeerId, Incarnation, Name, State, ConnectedAt, LastSeenAt, SyncEpoch, IncarnationEpoch, ReplacedIncarnation) " +
        $"VALUES ('{peerId}', 'inc-b', 'lamp', 'Connected', 0, 0, 1, 1, {(replaced is null ? "NULL" : $"'{replaced}'")})";

    public void Dispose() => _directory.Delete(recursive: true);
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresReplacedIncarnationsMigrationTests(PostgresFixture postgres) : ReplacedIncarnationsMigrationTests
{
    protected override DatabaseProvider Provider => DatabaseProvider.Postgres;

    protected override Task<string> NewDatabaseAsync() => postgres.NewDatabaseAsync();

    protected override string InsertPeer(string peerId, string? replaced) =>
        """INSERT INTO peers ("PeerId", "Incarnation", "Name", "State", "ConnectedAt", "LastSeenAt", "SyncEpoch", "IncarnationEpoch", "ReplacedIncarnation") """ +
        $"VALUES ('{peerId}', 'inc-b', 'lamp', 'Connected', now(), now(), 1, 1, {(replaced is null ? "NULL" : $"'{replaced}'")})";
}
