using Equip.Domain.Peers;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Equip.Infrastructure.Persistence.Configurations;

internal sealed class PeerConfiguration : IEntityTypeConfiguration<Peer>
{
    public void Configure(EntityTypeBuilder<Peer> builder)
    {
        builder.ToTable("peers");
        builder.HasKey(p => p.PeerId);
        builder.Property(p => p.PeerId).HasMaxLength(PeerRules.MaxIdLength);
        builder.Property(p => p.Incarnation).HasMaxLength(PeerRules.MaxIdLength).IsRequired();
        builder.Property(p => p.Name).HasMaxLength(PeerRules.MaxNameLength).IsRequired();
        builder.Property(p => p.ReplacedIncarnations).AsJsonList();
        builder.Property(p => p.State).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(p => p.State);
    }
}
