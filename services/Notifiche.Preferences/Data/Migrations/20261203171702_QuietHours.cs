using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Notifiche.Preferences.Data.Migrations
{
    /// <inheritdoc />
    public partial class QuietHours : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<TimeOnly>(
                name: "quiet_hours_from",
                table: "profiles",
                type: "time without time zone",
                nullable: true);

            migrationBuilder.AddColumn<TimeOnly>(
                name: "quiet_hours_to",
                table: "profiles",
                type: "time without time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "time_zone",
                table: "profiles",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "deferred_dispatches",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    notice_id = table.Column<Guid>(type: "uuid", nullable: false),
                    channel = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    message_type = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    payload = table.Column<string>(type: "text", nullable: false),
                    not_before = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    trace_parent = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deferred_dispatches", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_deferred_dispatches_not_before_id",
                table: "deferred_dispatches",
                columns: new[] { "not_before", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_deferred_dispatches_notice_id_channel",
                table: "deferred_dispatches",
                columns: new[] { "notice_id", "channel" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "deferred_dispatches");

            migrationBuilder.DropColumn(
                name: "quiet_hours_from",
                table: "profiles");

            migrationBuilder.DropColumn(
                name: "quiet_hours_to",
                table: "profiles");

            migrationBuilder.DropColumn(
                name: "time_zone",
                table: "profiles");
        }
    }
}
