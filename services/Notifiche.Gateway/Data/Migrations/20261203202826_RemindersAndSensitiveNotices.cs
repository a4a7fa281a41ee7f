using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Notifiche.Gateway.Data.Migrations
{
    /// <inheritdoc />
    public partial class RemindersAndSensitiveNotices : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "notice_id",
                table: "outbox",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "reminder_before",
                table: "notices",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "reminder_of",
                table: "notices",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "resolved_at",
                table: "notices",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "sensitive",
                table: "notices",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateIndex(
                name: "ix_outbox_notice_id",
                table: "outbox",
                column: "notice_id",
                filter: "notice_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_notices_reminder_of",
                table: "notices",
                column: "reminder_of",
                filter: "reminder_of IS NOT NULL");

            migrationBuilder.AddForeignKey(
                name: "fk_notices_notices_reminder_of",
                table: "notices",
                column: "reminder_of",
                principalTable: "notices",
                principalColumn: "id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_notices_notices_reminder_of",
                table: "notices");

            migrationBuilder.DropIndex(
                name: "ix_outbox_notice_id",
                table: "outbox");

            migrationBuilder.DropIndex(
                name: "ix_notices_reminder_of",
                table: "notices");

            migrationBuilder.DropColumn(
                name: "notice_id",
                table: "outbox");

            migrationBuilder.DropColumn(
                name: "reminder_before",
                table: "notices");

            migrationBuilder.DropColumn(
                name: "reminder_of",
                table: "notices");

            migrationBuilder.DropColumn(
                name: "resolved_at",
                table: "notices");

            migrationBuilder.DropColumn(
                name: "sensitive",
                table: "notices");
        }
    }
}
