using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Equip.Infrastructure.Persistence.Configurations;

internal sealed class DataspaceStateConfiguration : IEntityTypeConfiguration<DataspaceState>
{
    public void Configure(EntityTypeBuilder<DataspaceState> builder)
    {
        builder.ToTable("dataspace_state");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.HasData(new DataspaceState { Id = DataspaceState.SingletonId });
    }
}

internal sealed class RevisionGapConfiguration : IEntityTypeConfiguration<RevisionGapEntry>
{
    public void Configure(EntityTypeBuilder<RevisionGapEntry> builder)
    {
        builder.ToTable("revision_gaps");
        builder.HasKey(g => g.After);
        builder.Property(g => g.After).ValueGeneratedNever();
    }
}

internal sealed class ClusterStateConfiguration : IEntityTypeConfiguration<ClusterState>
{
    public void Configure(EntityTypeBuilder<ClusterState> builder)
    {
        builder.ToTable("cluster_state");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.HasData(new ClusterState { Id = ClusterState.SingletonId });
    }
}

internal sealed class ClusterNodeConfiguration : IEntityTypeConfiguration<ClusterNode>
{
    public void Configure(EntityTypeBuilder<ClusterNode> builder)
    {
        builder.ToTable("cluster_nodes");
        builder.HasKey(n => n.NodeId);
    }
}

internal sealed class DataProtectionKeyConfiguration : IEntityTypeConfiguration<DataProtectionKey>
{
    public void Configure(EntityTypeBuilder<DataProtectionKey> builder)
    {
        builder.ToTable("data_protection_keys");
        builder.HasKey(k => k.Id);
    }
}
