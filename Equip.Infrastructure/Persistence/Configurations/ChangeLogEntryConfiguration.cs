using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Equip.Infrastructure.Persistence.Configurations;

internal sealed class ChangeLogEntryConfiguration(string jsonColumnType) : IEntityTypeConfiguration<ChangeLogEntry>
{
    public void Configure(EntityTypeBuilder<ChangeLogEntry> builder)
    {
        builder.ToTable("change_log");
        builder.HasKey(e => e.Revision);
        builder.Property(e => e.Revision).ValueGeneratedNever();
        builder.Property(e => e.Item).HasColumnType(jsonColumnType).IsRequired();
        builder.HasIndex(e => e.OccurredAt);
        builder.HasIndex(e => e.ItemId);
    }
}
