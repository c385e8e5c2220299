using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Equip.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Peers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "AssertedEpoch",
                table: "items",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "peers",
                columns: table => new
                {
                    PeerId = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Incarnation = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    ConnectedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LastSeenAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ReconnectingSince = table.Column<long>(type: "INTEGER", nullable: true),
                    SyncEpoch = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_peers", x => x.PeerId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_items_Responsible_ProcessBound",
                table: "items",
                columns: new[] { "Responsible", "ProcessBound" });

            migrationBuilder.CreateIndex(
                name: "IX_peers_State",
                table: "peers",
                column: "State");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "peers");

            migrationBuilder.DropIndex(
                name: "IX_items_Responsible_ProcessBound",
                table: "items");

            migrationBuilder.DropColumn(
                name: "AssertedEpoch",
                table: "items");
        }
    }
}
