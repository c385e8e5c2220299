using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Equip.Infrastructure.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Cluster : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "cluster_nodes",
                columns: table => new
                {
                    NodeId = table.Column<string>(type: "text", nullable: false),
                    Url = table.Column<string>(type: "text", nullable: true),
                    Role = table.Column<string>(type: "text", nullable: false),
                    AppliedRevision = table.Column<long>(type: "bigint", nullable: false),
                    LastSeen = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cluster_nodes", x => x.NodeId);
                });

            migrationBuilder.CreateTable(
                name: "cluster_state",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false),
                    Term = table.Column<long>(type: "bigint", nullable: false),
                    LeaderNodeId = table.Column<string>(type: "text", nullable: true),
                    LeaderUrl = table.Column<string>(type: "text", nullable: true),
                    ElectedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cluster_state", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "data_protection_keys",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    FriendlyName = table.Column<string>(type: "text", nullable: true),
                    Xml = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_data_protection_keys", x => x.Id);
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
                name: "cluster_nodes");

            migrationBuilder.DropTable(
                name: "cluster_state");

            migrationBuilder.DropTable(
                name: "data_protection_keys");
        }
    }
}
