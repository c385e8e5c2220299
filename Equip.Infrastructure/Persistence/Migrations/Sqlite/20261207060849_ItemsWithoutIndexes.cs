using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Equip.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ItemsWithoutIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_items_LeaseExpiresAt",
                table: "items");

            migrationBuilder.DropIndex(
                name: "IX_items_Responsible",
                table: "items");

            migrationBuilder.DropIndex(
                name: "IX_items_Responsible_ProcessBound",
                table: "items");

            migrationBuilder.DropIndex(
                name: "IX_items_Type",
                table: "items");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_items_LeaseExpiresAt",
                table: "items",
                column: "LeaseExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_items_Responsible",
                table: "items",
                column: "Responsible");

            migrationBuilder.CreateIndex(
                name: "IX_items_Responsible_ProcessBound",
                table: "items",
                columns: new[] { "Responsible", "ProcessBound" });

            migrationBuilder.CreateIndex(
                name: "IX_items_Type",
                table: "items",
                column: "Type");
        }
    }
}
