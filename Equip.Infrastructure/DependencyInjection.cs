using Equip.Infrastructure.Cluster;
using Equip.Domain.Dataspace;
using Equip.Infrastructure.Access;
using Equip.Infrastructure.ChangeLog;
using Equip.Infrastructure.Components;
using Equip.Infrastructure.Components.Links;
using Equip.Infrastructure.Dataspace;
using Equip.Infrastructure.Dataspace.Live;
using Equip.Infrastructure.Leases;
using Equip.Infrastructure.Observability;
using Equip.Infrastructure.Peers;
using Equip.Domain.Peers;
using Equip.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Equip.Infrastructure;

public static class DependencyInjection
{
    public static IHostApplicationBuilder AddEquipInfrastructure(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<EquipOptions>().BindConfiguration(EquipOptions.Section).ValidateOnStart();
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.Provider != DatabaseProvider.Postgres || !string.IsNullOrWhiteSpace(o.ConnectionString),
                "Equip:Database:ConnectionString is required when Equip:Database:Provider is Postgres.")
            .Validate(o => IsTimerInterval(o.FlushInterval), "Equip:Database:FlushInterval must be between 1 ms and 1 day.")
            .ValidateOnStart();
        services.AddOptions<ChangeLogOptions>().BindConfiguration(ChangeLogOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.RetainAge > TimeSpan.Zero, "Equip:ChangeLog:RetainAge must be positive.")
            .Validate(o => IsTimerInterval(o.PruneInterval), "Equip:ChangeLog:PruneInterval must be between 1 ms and 1 day.")
            .ValidateOnStart();
        services.AddOptions<LeaseOptions>().BindConfiguration(LeaseOptions.Section)
            .Validate(o => IsTimerInterval(o.SweepInterval), "Equip:Leases:SweepInterval must be between 1 ms and 1 day.")
            .Validate(o => o.ReconnectWindow > TimeSpan.Zero, "Equip:Leases:ReconnectWindow must be positive.")
            .ValidateOnStart();
        services.AddOptions<PeerOptions>().BindConfiguration(PeerOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.DisconnectGrace >= TimeSpan.Zero, "Equip:Peers:DisconnectGrace must be zero or more.")
            .Validate(o => IsTimerInterval(o.ReapInterval), "Equip:Peers:ReapInterval must be between 1 ms and 1 day.")
            .Validate(o => o.KeepAliveInterval > TimeSpan.Zero && o.ClientTimeout > o.KeepAliveInterval,
                "Equip:Peers:KeepAliveInterval must be positive and shorter than Equip:Peers:ClientTimeout.")
            .ValidateOnStart();

        services.AddOptions<ClusterOptions>().BindConfiguration(ClusterOptions.Section)
            .Validate(o => o.LockTimeout >= TimeSpan.FromSeconds(1) && o.LockTimeout <= TimeSpan.FromMinutes(10), "Equip:Cluster:LockTimeout must be between 1 s and 10 min.")
            .Validate(o => o.StandbyPoll >= TimeSpan.FromMilliseconds(10) && o.StandbyPoll <= TimeSpan.FromMinutes(1), "Equip:Cluster:StandbyPoll must be between 10 ms and 1 min.")
            .ValidateOnStart();
        services.AddOptions<ItemLimitOptions>().BindConfiguration(ItemLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ValueQueueOptions>().BindConfiguration(ValueQueueOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ItemLimitOptions>>().Value.ToLimits());

        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section)
            .Validate(o => string.IsNullOrWhiteSpace(o.AdminKey) || o.AdminKey.Trim().Length is >= Keys.MinLength and <= Keys.MaxLength,
                $"Equip:Auth:AdminKey must be {Keys.MinLength} to {Keys.MaxLength} characters long.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<AdminKey>();
        services.AddSingleton<DeviceKeys>();
        services.AddSingleton<DashboardSessions>();
        services.AddSingleton<StoreFence>();
        services.AddSingleton<Leadership>();
        services.AddSingleton<ClusterStatus>();
        services.AddSingleton(sp => new Replica(sp.GetRequiredService<IDbContextFactory<EquipDbContext>>(), sp.GetRequiredService<LiveItems>(),
            sp.GetRequiredService<LiveLog>(), sp.GetRequiredService<ChangeBroadcaster>()));
        services.AddSingleton(sp => new ReplicationSource(sp.GetRequiredService<IDataspace>(), sp.GetRequiredService<IChangeFeed>(),
            sp.GetRequiredService<LiveLog>(), sp.GetRequiredService<StoreFence>(), sp.GetRequiredService<IOptions<ClusterOptions>>()));
        services.AddSingleton<IDbContextFactory<EquipDbContext>>(sp => CreateContextFactory(
            sp.GetRequiredService<IOptions<DatabaseOptions>>().Value,
            sp.GetRequiredService<IOptions<EquipOptions>>().Value,
            sp.GetRequiredService<StoreFence>()));
        services.AddSingleton<ChangeBroadcaster>();
        services.AddSingleton<IChangeFeed>(sp => sp.GetRequiredService<ChangeBroadcaster>());
        services.AddSingleton<PeerBroadcaster>();
        services.AddSingleton<IPeerFeed>(sp => sp.GetRequiredService<PeerBroadcaster>());
        services.AddMetrics();
        services.AddSingleton<EquipMetrics>();
        services.AddSingleton<LiveItems>();
        services.AddSingleton<ILiveItems>(sp => sp.GetRequiredService<LiveItems>());
        services.AddSingleton(sp => new LiveLog(sp.GetRequiredService<IOptions<ChangeLogOptions>>().Value.MemoryWindow));
        services.AddSingleton<BatchWriter>();
        services.AddSingleton<DataspaceWriter>();
        services.AddSingleton<ReadGate>();
        services.AddSingleton<IDataspace, LiveDataspace>();
        services.AddSingleton<IItemHistory, ItemHistory>();
        services.AddSingleton<IPeerSessions, PeerSessions>();

        // Started in this order and stopped in reverse: the schema first, the writer last to stop.
        services.AddHostedService<DatabaseMigrator>();
        services.AddHostedService(sp => sp.GetRequiredService<Leadership>()); // a standby waits here until it leads; a follower goes on
        services.AddHostedService(sp => sp.GetRequiredService<DeviceKeys>());
        services.AddHostedService(sp => sp.GetRequiredService<DashboardSessions>());
        services.AddHostedService<ClusterRefresh>();
        services.AddLeaderOnly(sp => sp.GetRequiredService<DataspaceWriter>()); // a follower's live state comes from its leader instead
        services.AddLeaderOnly(sp => ActivatorUtilities.CreateInstance<LeaseSweeper>(sp));
        services.AddLeaderOnly(sp => ActivatorUtilities.CreateInstance<ChangeLogPruner>(sp));
        services.AddSingleton<ServerLifeMark>();
        services.AddHostedService(sp => sp.GetRequiredService<ServerLifeMark>());
        services.AddLeaderOnly(sp => ActivatorUtilities.CreateInstance<PeerReaper>(sp));
        services.AddLeaderOnly(sp => ActivatorUtilities.CreateInstance<Launcher>(sp));
        services.AddSingleton<ComponentCommands>();
        services.AddSingleton<LinkCommands>();
        services.AddSingleton<InstallationTransfer>();
        services.AddSingleton<LinkRoutes>();
        services.AddSingleton<LinkStatuses>();
        services.AddSingleton<LinkCarrier>();
        services.AddSingleton<IValueRouting>(sp => sp.GetRequiredService<LinkCarrier>());
        services.AddSingleton<LinkEngine>();
        services.AddLeaderOnly(sp => sp.GetRequiredService<LinkEngine>());

        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        return builder;
    }

    /// A hosted service that a cluster's follower does not run (LeaderOnly). Added as it is, not
    /// by AddHostedService, which keeps one registration per implementation type: one LeaderOnly.
    public static IServiceCollection AddLeaderOnly(this IServiceCollection services, Func<IServiceProvider, IHostedService> service) =>
        services.AddSingleton<IHostedService>(sp => new LeaderOnly(service(sp), sp.GetRequiredService<Leadership>()));

    private static bool IsTimerInterval(TimeSpan interval) => interval >= TimeSpan.FromMilliseconds(1) && interval <= TimeSpan.FromDays(1);

    private static EquipDbContextFactory CreateContextFactory(DatabaseOptions database, EquipOptions equip, StoreFence fence)
    {
        var connectionString = database.ConnectionString;
        if (database.Provider == DatabaseProvider.Sqlite && string.IsNullOrWhiteSpace(connectionString))
        {
            var directory = Path.GetFullPath(equip.DataDirectory);
            Directory.CreateDirectory(directory);
            connectionString = $"Data Source={Path.Combine(directory, "equip.db")}";
        }
        return EquipDbContextFactory.Create(database.Provider, connectionString!, fence);
    }
}
