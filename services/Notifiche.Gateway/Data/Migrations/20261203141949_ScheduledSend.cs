using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Notifiche.Gateway.Data.Migrations
{
    /// <inheritdoc />
    public partial class ScheduledSend : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Scheduled send (issue 17, point 2). Rows an earlier version left in the outbox get the year 1: due at once, first.
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "not_before",
                table: "outbox",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "send_at",
                table: "notices",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_outbox_not_before_id",
                table: "outbox",
                columns: new[] { "not_before", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_outbox_not_before_id",
                table: "outbox");

            migrationBuilder.DropColumn(
                name: "not_before",
                table: "outbox");

            migrationBuilder.DropColumn(
                name: "send_at",
                table: "notices");
        }
    }
}
