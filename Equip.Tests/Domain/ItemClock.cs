using Equip.Domain.Dataspace;
using Microsoft.Extensions.Time.Testing;

namespace Equip.Tests.Domain;

/// A clock and an item made on it, for the item tests: xunit makes one per test.
public abstract class ItemClock
{
    protected static readonly Guid Id = Guid.Parse("019ac1d3-0c55-7b2e-9d41-6a0f3e8b2c17");

    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 26, 20, 0, 0, TimeSpan.Zero));

    protected DateTimeOffset Now => Time.GetUtcNow();

    protected Item Created(TimeSpan? lease = null, string? responsible = "lamp-1", long revision = 7) =>
        Item.Create(new AddItem(Id, "demo.Lamp", Json.Quoted("{'on':true}"), responsible, ProcessBound: true, Lease: lease), Id, revision, Now);
}
