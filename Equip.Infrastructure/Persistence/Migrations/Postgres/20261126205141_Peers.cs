using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Equip.Infrastructure.Persistence.Migrations.Postgres
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
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "peers",
                columns: table => new
                {
                    PeerId = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    Name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    Incarnation = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    State = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    ConnectedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LastSeenAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ReconnectingSince = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    SyncEpoch = table.Column<long>(type: "bigint", nullable: false)
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
