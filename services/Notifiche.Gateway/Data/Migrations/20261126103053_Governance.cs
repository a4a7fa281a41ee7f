using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Notifiche.Gateway.Data.Migrations
{
    /// <inheritdoc />
    public partial class Governance : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_notices_service_id",
                table: "notices");

            migrationBuilder.AddColumn<List<string>>(
                name: "allowed_source_cidrs",
                table: "services",
                type: "text[]",
                nullable: false,
                defaultValueSql: "'{}'");

            migrationBuilder.AddColumn<string>(
                name: "contact_email",
                table: "services",
                type: "character varying(254)",
                maxLength: 254,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "daily_notice_quota",
                table: "services",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "department",
                table: "services",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "expected_monthly_email",
                table: "services",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "expected_monthly_push",
                table: "services",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "expected_monthly_sms",
                table: "services",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<decimal>(
                name: "monthly_sms_euro_budget",
                table: "services",
                type: "numeric(12,4)",
                precision: 12,
                scale: 4,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "monthly_sms_segment_budget",
                table: "services",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<List<string>>(
                name: "notice_categories",
                table: "services",
                type: "text[]",
                nullable: false,
                defaultValueSql: "'{}'");

            migrationBuilder.AddColumn<string>(
                name: "organization_fiscal_code",
                table: "services",
                type: "character varying(11)",
                maxLength: 11,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "rate_burst",
                table: "services",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "rate_per_second",
                table: "services",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<List<string>>(
                name: "sandbox_recipients",
                table: "services",
                type: "text[]",
                nullable: false,
                defaultValueSql: "'{}'");

            migrationBuilder.AddColumn<string>(
                name: "state",
                table: "services",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "active");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "updated_at",
                table: "services",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<decimal>(
                name: "cost_euro",
                table: "notice_channels",
                type: "numeric(12,4)",
                precision: 12,
                scale: 4,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "segments",
                table: "notice_channels",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "expires_at",
                table: "api_keys",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "daily_usage",
                columns: table => new
                {
                    service_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    day = table.Column<DateOnly>(type: "date", nullable: false),
                    notices = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_daily_usage", x => new { x.service_id, x.day });
                    table.ForeignKey(
                        name: "fk_daily_usage_services_service_id",
                        column: x => x.service_id,
                        principalTable: "services",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "notice_omissions",
                columns: table => new
                {
                    notice_id = table.Column<Guid>(type: "uuid", nullable: false),
                    channel = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    reason = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_notice_omissions", x => new { x.notice_id, x.channel });
                    table.ForeignKey(
                        name: "fk_notice_omissions_notices_notice_id",
                        column: x => x.notice_id,
                        principalTable: "notices",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "rate_buckets",
                columns: table => new
                {
                    service_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    tokens = table.Column<double>(type: "double precision", nullable: false),
                    refilled_at_ms = table.Column<long>(type: "bigint", nullable: false),
                    granted = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_rate_buckets", x => x.service_id);
                    table.ForeignKey(
                        name: "fk_rate_buckets_services_service_id",
                        column: x => x.service_id,
                        principalTable: "services",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_notices_service_id_accepted_at",
                table: "notices",
                columns: new[] { "service_id", "accepted_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "daily_usage");

            migrationBuilder.DropTable(
                name: "notice_omissions");

            migrationBuilder.DropTable(
                name: "rate_buckets");

            migrationBuilder.DropIndex(
                name: "ix_notices_service_id_accepted_at",
                table: "notices");

            migrationBuilder.DropColumn(
                name: "allowed_source_cidrs",
                table: "services");

            migrationBuilder.DropColumn(
                name: "contact_email",
                table: "services");

            migrationBuilder.DropColumn(
                name: "daily_notice_quota",
                table: "services");

            migrationBuilder.DropColumn(
                name: "department",
                table: "services");

            migrationBuilder.DropColumn(
                name: "expected_monthly_email",
                table: "services");

            migrationBuilder.DropColumn(
                name: "expected_monthly_push",
                table: "services");

            migrationBuilder.DropColumn(
                name: "expected_monthly_sms",
                table: "services");

            migrationBuilder.DropColumn(
                name: "monthly_sms_euro_budget",
                table: "services");

            migrationBuilder.DropColumn(
                name: "monthly_sms_segment_budget",
                table: "services");

            migrationBuilder.DropColumn(
                name: "notice_categories",
                table: "services");

            migrationBuilder.DropColumn(
                name: "organization_fiscal_code",
                table: "services");

            migrationBuilder.DropColumn(
                name: "rate_burst",
                table: "services");

            migrationBuilder.DropColumn(
                name: "rate_per_second",
                table: "services");

            migrationBuilder.DropColumn(
                name: "sandbox_recipients",
                table: "services");

            migrationBuilder.DropColumn(
                name: "state",
                table: "services");

            migrationBuilder.DropColumn(
                name: "updated_at",
                table: "services");

            migrationBuilder.DropColumn(
                name: "cost_euro",
                table: "notice_channels");

            migrationBuilder.DropColumn(
                name: "segments",
                table: "notice_channels");

            migrationBuilder.DropColumn(
                name: "expires_at",
                table: "api_keys");

            migrationBuilder.CreateIndex(
                name: "ix_notices_service_id",
                table: "notices",
                column: "service_id");
        }
    }
}
