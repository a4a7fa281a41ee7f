using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Notifiche.Preferences.Data.Migrations
{
    /// <inheritdoc />
    public partial class HeldNotices : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "held_notices",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    notice_id = table.Column<Guid>(type: "uuid", nullable: false),
                    fiscal_code = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    payload = table.Column<string>(type: "text", nullable: true),
                    accepted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    not_before = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    trace_parent = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_held_notices", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_held_notices_fiscal_code",
                table: "held_notices",
                column: "fiscal_code");

            migrationBuilder.CreateIndex(
                name: "ix_held_notices_not_before_id",
                table: "held_notices",
                columns: new[] { "not_before", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_held_notices_notice_id",
                table: "held_notices",
                column: "notice_id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "held_notices");
        }
    }
}
