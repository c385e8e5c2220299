using System.Text.Json;
using Equip.Domain.Access;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Equip.Infrastructure.Persistence.Configurations;

internal sealed class DeviceKeyConfiguration : IEntityTypeConfiguration<DeviceKey>
{
    public void Configure(EntityTypeBuilder<DeviceKey> builder)
    {
        builder.ToTable("device_keys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Id).ValueGeneratedNever();
        builder.Property(k => k.Name).HasMaxLength(AccessRules.MaxKeyNameLength).IsRequired();
        builder.Property(k => k.Hash).HasMaxLength(64).IsRequired();
        builder.Property(k => k.Prefix).HasMaxLength(16).IsRequired();
        builder.HasIndex(k => k.Hash).IsUnique();
        IdList(builder.Property(k => k.ContainerIds));
        IdList(builder.Property(k => k.PeerIds));
    }

    private static void IdList(PropertyBuilder<IReadOnlyList<string>> property) => property
        .HasConversion(
            ids => JsonSerializer.Serialize(ids, (JsonSerializerOptions?)null),
            text => JsonSerializer.Deserialize<List<string>>(text, (JsonSerializerOptions?)null) ?? new List<string>(),
            new ValueComparer<IReadOnlyList<string>>(
                (a, b) => a!.SequenceEqual(b!),
                ids => ids.Aggregate(0, (hash, id) => HashCode.Combine(hash, id.GetHashCode())),
                ids => ids.ToList()))
        .IsRequired();
}
