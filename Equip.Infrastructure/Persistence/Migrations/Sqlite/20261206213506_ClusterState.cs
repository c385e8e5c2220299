using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Equip.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ClusterState : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "cluster_state",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    Term = table.Column<long>(type: "INTEGER", nullable: false),
                    LeaderNodeId = table.Column<string>(type: "TEXT", nullable: true),
                    LeaderUrl = table.Column<string>(type: "TEXT", nullable: true),
                    ElectedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cluster_state", x => x.Id);
                });

            migrationBuilder.InsertData(
                table: "cluster_state",
                columns: new[] { "Id", "ElectedAt", "LeaderNodeId", "LeaderUrl", "Term" },
                values: new object[] { 1, null, null, null, 0L });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "cluster_state");
        }
    }
}
