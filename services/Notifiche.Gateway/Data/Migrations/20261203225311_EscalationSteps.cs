using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Notifiche.Gateway.Data.Migrations
{
    /// <inheritdoc />
    public partial class EscalationSteps : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "escalation_after",
                table: "notices",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<List<string>>(
                name: "escalation_channels",
                table: "notices",
                type: "text[]",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "escalation_of",
                table: "notices",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "escalation_outcome",
                table: "notices",
                type: "character varying(24)",
                maxLength: 24,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "escalation_step",
                table: "notices",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "escalation_steps",
                table: "notices",
                type: "integer",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_notices_escalation_of",
                table: "notices",
                column: "escalation_of",
                filter: "escalation_of IS NOT NULL");

            migrationBuilder.AddForeignKey(
                name: "fk_notices_notices_escalation_of",
                table: "notices",
                column: "escalation_of",
                principalTable: "notices",
                principalColumn: "id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_notices_notices_escalation_of",
                table: "notices");

            migrationBuilder.DropIndex(
                name: "ix_notices_escalation_of",
                table: "notices");

            migrationBuilder.DropColumn(
                name: "escalation_after",
                table: "notices");

            migrationBuilder.DropColumn(
                name: "escalation_channels",
                table: "notices");

            migrationBuilder.DropColumn(
                name: "escalation_of",
                table: "notices");

            migrationBuilder.DropColumn(
                name: "escalation_outcome",
                table: "notices");

            migrationBuilder.DropColumn(
                name: "escalation_step",
                table: "notices");

            migrationBuilder.DropColumn(
                name: "escalation_steps",
                table: "notices");
        }
    }
}
