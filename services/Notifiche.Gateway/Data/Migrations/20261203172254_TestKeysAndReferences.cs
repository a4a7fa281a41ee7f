using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Notifiche.Gateway.Data.Migrations
{
    /// <inheritdoc />
    public partial class TestKeysAndReferences : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateOnly>(
                name: "protocol_date",
                table: "notices",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "protocol_number",
                table: "notices",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "reference",
                table: "notices",
                type: "character varying(128)",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "test",
                table: "notices",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "type",
                table: "api_keys",
                type: "character varying(8)",
                maxLength: 8,
                nullable: false,
                defaultValue: "live");

            migrationBuilder.CreateIndex(
                name: "ix_notices_service_id_id",
                table: "notices",
                columns: new[] { "service_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_notices_service_id_reference_id",
                table: "notices",
                columns: new[] { "service_id", "reference", "id" },
                filter: "reference IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_notices_service_id_status_id",
                table: "notices",
                columns: new[] { "service_id", "status", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_notices_service_id_id",
                table: "notices");

            migrationBuilder.DropIndex(
                name: "ix_notices_service_id_reference_id",
                table: "notices");

            migrationBuilder.DropIndex(
                name: "ix_notices_service_id_status_id",
                table: "notices");

            migrationBuilder.DropColumn(
                name: "protocol_date",
                table: "notices");

            migrationBuilder.DropColumn(
                name: "protocol_number",
                table: "notices");

            migrationBuilder.DropColumn(
                name: "reference",
                table: "notices");

            migrationBuilder.DropColumn(
                name: "test",
                table: "notices");

            migrationBuilder.DropColumn(
                name: "type",
                table: "api_keys");
        }
    }
}
