using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Notifiche.Gateway.Data.Migrations
{
    /// <inheritdoc />
    public partial class UrgentNotices : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "urgent_allowed",
                table: "services",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "urgent",
                table: "notices",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "deferred_until",
                table: "notice_channels",
                type: "timestamp with time zone",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "urgent_allowed",
                table: "services");

            migrationBuilder.DropColumn(
                name: "urgent",
                table: "notices");

            migrationBuilder.DropColumn(
                name: "deferred_until",
                table: "notice_channels");
        }
    }
}
