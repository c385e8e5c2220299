using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Equip.Infrastructure.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ReplacedIncarnation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ReplacedIncarnation",
                table: "peers",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_change_log_ItemId",
                table: "change_log",
                column: "ItemId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_change_log_ItemId",
                table: "change_log");

            migrationBuilder.DropColumn(
                name: "ReplacedIncarnation",
                table: "peers");
        }
    }
}
