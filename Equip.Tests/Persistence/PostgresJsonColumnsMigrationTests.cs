using System.Text.Json;
using System.Text.Json.Nodes;
using Equip.Infrastructure.Persistence;
using Equip.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Equip.Tests.Persistence;

/// A PostgreSQL store made when items and events were `jsonb` columns with secondary indexes on
/// items: after the upgrade its items and events read as they did, the columns are `json` (kept
/// as written, not parsed into a tree at every write) and items carry only their primary key.
[Collection(PostgresCollection.Name)]
public sealed class PostgresJsonColumnsMigrationTests(PostgresFixture postgres)
{
    private const string Fields = """{"value":21.5,"unit":"°C","nested":{"b":[1,2,{"c":null}],"a":"x"}}""";

    [Fact]
    public async Task AnOlderStoresItemsAndEventsReadTheSameAfterTheUpgrade()
    {
        await using var db = EquipDbContextFactory.Create(DatabaseProvider.Postgres, await postgres.NewDatabaseAsync()).CreateDbContext();
        var migrations = db.Database.GetMigrations().ToList();
        var before = migrations[migrations.FindIndex(m => m.EndsWith("_ItemsWithoutIndexes", StringComparison.Ordinal)) - 1];
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync(before);
        var id = Guid.NewGuid();
        await db.Database.ExecuteSqlRawAsync(
            """INSERT INTO items ("Id", "Type", "Fields", "Responsible", "ProcessBound", "Revision", "CreatedAt", "UpdatedAt") VALUES ({0}, 'Sensor', {1}::jsonb, 'probe', false, 7, now(), now())""",
            id, Fields);
        await db.Database.ExecuteSqlRawAsync(
            """INSERT INTO change_log ("Revision", "Kind", "ItemId", "Item", "OccurredAt") VALUES (7, 0, {0}, {1}::jsonb, now())""",
            id, JsonSerializer.Serialize(new { id, type = "Sensor", fields = JsonNode.Parse(Fields) }));

        await migrator.MigrateAsync();

        var item = Assert.Single(await db.Items.AsNoTracking().ToListAsync());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Fields), JsonNode.Parse(item.Fields.GetRawText())), item.Fields.GetRawText());
        Assert.Equal(("Sensor", "probe", 7L), (item.Type, item.Responsible, item.Revision));
        var entry = Assert.Single(await db.ChangeLog.AsNoTracking().ToListAsync());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Fields), JsonNode.Parse(entry.Item)!["fields"]), entry.Item);

        var types = await db.Database.SqlQueryRaw<string>(
            """SELECT data_type AS "Value" FROM information_schema.columns WHERE (table_name, column_name) IN (('items', 'Fields'), ('change_log', 'Item'))""").ToListAsync();
        Assert.Equal(["json", "json"], types);
        var indexes = await db.Database.SqlQueryRaw<string>("""SELECT indexname AS "Value" FROM pg_indexes WHERE tablename = 'items'""").ToListAsync();
        Assert.Equal(["PK_items"], indexes);

        // A new row is kept as written: key order and all.
        await db.Database.ExecuteSqlRawAsync("""UPDATE items SET "Fields" = {0}::json""", Fields);
        var text = await db.Database.SqlQueryRaw<string>("""SELECT "Fields"::text AS "Value" FROM items""").SingleAsync();
        Assert.Equal(Fields, text);
    }
}
