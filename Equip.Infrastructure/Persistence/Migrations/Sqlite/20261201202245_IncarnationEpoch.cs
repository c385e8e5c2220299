using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Equip.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class IncarnationEpoch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "IncarnationEpoch",
                table: "peers",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            // Peers registered before this column existed: spare what earlier associations asserted.
            migrationBuilder.Sql("UPDATE peers SET \"IncarnationEpoch\" = \"SyncEpoch\"");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "IncarnationEpoch",
                table: "peers");
        }
    }
}
