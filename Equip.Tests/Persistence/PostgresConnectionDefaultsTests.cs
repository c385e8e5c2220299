using Equip.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Equip.Tests.Persistence;

/// The store prepares its statements and keeps them across pooled connections unless the
/// connection string says otherwise (docs/configuration.md).
public sealed class PostgresConnectionDefaultsTests
{
    [Fact]
    public void StatementsArePreparedAndConnectionsNotResetWhenTheConnectionStringIsSilent()
    {
        var used = ConnectionStringOf("Host=127.0.0.1;Database=equip;Username=equip");

        Assert.Equal(64, used.MaxAutoPrepare);
        Assert.True(used.NoResetOnClose);
        Assert.Equal("equip", used.Database);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Max Auto Prepare=0;No Reset On Close=false")]
    [InlineData("Host=127.0.0.1;maxautoprepare=0;NoResetOnClose=false")]
    public void WhatTheConnectionStringSaysIsKept(string given)
    {
        var used = ConnectionStringOf(given);

        Assert.Equal(0, used.MaxAutoPrepare);
        Assert.False(used.NoResetOnClose);
    }

    private static NpgsqlConnectionStringBuilder ConnectionStringOf(string given)
    {
        using var db = EquipDbContextFactory.Create(DatabaseProvider.Postgres, given).CreateDbContext();
        return new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString());
    }
}
