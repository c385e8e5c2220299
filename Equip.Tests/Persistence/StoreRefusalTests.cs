using System.Text.Json;
using Equip.Domain.Dataspace;
using Equip.Testing;
using Equip.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Equip.Tests.Persistence;

/// On PostgreSQL a batch commits in one round trip, as one implicit transaction: a write the
/// database refuses (here a trigger refuses one item type) must take nothing of its batch with it
/// into the store, and fail alone when its neighbours are written again without it.
[Collection(PostgresCollection.Name)]
public sealed class StoreRefusalTests(PostgresFixture postgres)
{
    private const string Refused = "test.RefusedByTheStore";

    [Fact]
    public async Task AWriteTheDatabaseRefusesFailsAloneAndItsNeighboursAreStoredWhole()
    {
        using var store = await TestStore.PostgresAsync(postgres);
        await using var host = await StoreHost.StartAsync(store);
        await using (var db = store.OpenDb())
        {
            await db.Database.ExecuteSqlRawAsync($$"""
                CREATE FUNCTION refuse_test_items() RETURNS trigger AS $$
                BEGIN
                  IF NEW."Type" = '{{Refused}}' THEN RAISE EXCEPTION 'refused by the test'; END IF;
                  RETURN NEW;
                END $$ LANGUAGE plpgsql;
                CREATE TRIGGER refuse_test_items BEFORE INSERT OR UPDATE ON items FOR EACH ROW EXECUTE FUNCTION refuse_test_items();
                """);
        }

        // Queued together, so that they share batches with the refused one.
        var adds = Enumerable.Range(0, 40)
            .Select(n => host.Dataspace.AddAsync(new AddItem(Guid.NewGuid(), n == 20 ? Refused : "test.Stored", JsonSerializer.SerializeToElement(new { n }))))
            .ToList();
        var refused = adds[20];
        await Assert.ThrowsAnyAsync<Exception>(() => refused);
        var stored = await Task.WhenAll(adds.Where(a => a != refused));

        await using var check = store.OpenDb();
        var rows = await check.Items.AsNoTracking().ToDictionaryAsync(i => i.Id, i => i.Revision);
        Assert.Equal(39, rows.Count);
        Assert.All(stored, s => Assert.Equal(s.Item.Revision, rows[s.Item.Id]));
        var logged = await check.ChangeLog.AsNoTracking().Select(e => e.Revision).ToListAsync();
        Assert.Equal(stored.Select(s => s.Item.Revision).Order(), logged.Order());
        Assert.Equal(stored.Max(s => s.Item.Revision), (await check.State.AsNoTracking().SingleAsync()).CurrentRevision);
        Assert.Empty(await host.Dataspace.QueryAsync(new Pattern(Refused), after: null, limit: 10));
    }
}
