using System.Text.Json;
using Equip.Domain.Dataspace;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Equip.Infrastructure.Persistence.Configurations;

internal sealed class ItemConfiguration(string jsonColumnType) : IEntityTypeConfiguration<Item>
{
    public void Configure(EntityTypeBuilder<Item> builder)
    {
        builder.ToTable("items");
        builder.HasKey(i => i.Id);
        builder.Property(i => i.Id).ValueGeneratedNever();
        builder.Property(i => i.Type).HasMaxLength(ItemRules.MaxTypeLength).IsRequired();
        builder.Property(i => i.Fields)
            .UsePropertyAccessMode(PropertyAccessMode.Property) // the getter writes a value set in place into the fields
            .HasColumnType(jsonColumnType)
            .HasConversion(
                fields => fields.GetRawText(),
                text => JsonSerializer.Deserialize<JsonElement>(text, (JsonSerializerOptions?)null),
                new ValueComparer<JsonElement>(
                    (a, b) => a.GetRawText() == b.GetRawText(),
                    e => e.GetRawText().GetHashCode(),
                    e => e.Clone()));
        builder.Property(i => i.Responsible).HasMaxLength(256);
        // No secondary indexes: the store is read whole at start-up (every query is answered from
        // the live items in memory), so an index would only cost each write.
    }
}
