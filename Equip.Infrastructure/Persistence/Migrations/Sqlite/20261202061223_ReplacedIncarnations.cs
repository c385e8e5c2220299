using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Equip.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ReplacedIncarnations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The one replaced incarnation kept so far becomes the first of the list.
            migrationBuilder.AddColumn<string>(
                name: "ReplacedIncarnations",
                table: "peers",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.Sql("UPDATE peers SET ReplacedIncarnations = json_array(ReplacedIncarnation) WHERE ReplacedIncarnation IS NOT NULL");

            migrationBuilder.DropColumn(
                name: "ReplacedIncarnation",
                table: "peers");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ReplacedIncarnation",
                table: "peers",
                type: "TEXT",
                maxLength: 256,
                nullable: true);

            migrationBuilder.Sql("UPDATE peers SET ReplacedIncarnation = json_extract(ReplacedIncarnations, '$[0]')");

            migrationBuilder.DropColumn(
                name: "ReplacedIncarnations",
                table: "peers");
        }
    }
}
