using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Equip.Infrastructure.Persistence.Migrations.Postgres
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
                type: "bigint",
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
