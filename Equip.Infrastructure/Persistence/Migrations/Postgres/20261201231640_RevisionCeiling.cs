using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Equip.Infrastructure.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class RevisionCeiling : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "RevisionCeiling",
                table: "dataspace_state",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateTable(
                name: "revision_gaps",
                columns: table => new
                {
                    After = table.Column<long>(type: "bigint", nullable: false),
                    Through = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_revision_gaps", x => x.After);
                });

            migrationBuilder.UpdateData(
                table: "dataspace_state",
                keyColumn: "Id",
                keyValue: 1,
                column: "RevisionCeiling",
                value: 0L);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "revision_gaps");

            migrationBuilder.DropColumn(
                name: "RevisionCeiling",
                table: "dataspace_state");
        }
    }
}
