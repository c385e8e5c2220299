using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Equip.Infrastructure.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "change_log",
                columns: table => new
                {
                    Revision = table.Column<long>(type: "bigint", nullable: false),
                    Kind = table.Column<int>(type: "integer", nullable: false),
                    Reason = table.Column<int>(type: "integer", nullable: true),
                    ItemId = table.Column<Guid>(type: "uuid", nullable: false),
                    Item = table.Column<string>(type: "jsonb", nullable: false),
                    OccurredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_change_log", x => x.Revision);
                });

            migrationBuilder.CreateTable(
                name: "dataspace_state",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false),
                    CurrentRevision = table.Column<long>(type: "bigint", nullable: false),
                    PrunedThrough = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_dataspace_state", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "items",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Type = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    Fields = table.Column<string>(type: "jsonb", nullable: false),
                    Responsible = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    ProcessBound = table.Column<bool>(type: "boolean", nullable: false),
                    LeaseDuration = table.Column<TimeSpan>(type: "interval", nullable: true),
                    LeaseExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Revision = table.Column<long>(type: "bigint", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_items", x => x.Id);
                });

            migrationBuilder.InsertData(
                table: "dataspace_state",
                columns: new[] { "Id", "CurrentRevision", "PrunedThrough" },
                values: new object[] { 1, 0L, 0L });

            migrationBuilder.CreateIndex(
                name: "IX_change_log_OccurredAt",
                table: "change_log",
                column: "OccurredAt");

            migrationBuilder.CreateIndex(
                name: "IX_items_LeaseExpiresAt",
                table: "items",
                column: "LeaseExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_items_Responsible",
                table: "items",
                column: "Responsible");

            migrationBuilder.CreateIndex(
                name: "IX_items_Type",
                table: "items",
                column: "Type");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "change_log");

            migrationBuilder.DropTable(
                name: "dataspace_state");

            migrationBuilder.DropTable(
                name: "items");
        }
    }
}
