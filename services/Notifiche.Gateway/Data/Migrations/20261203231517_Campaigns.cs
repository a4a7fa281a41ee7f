using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Notifiche.Gateway.Data.Migrations
{
    /// <inheritdoc />
    public partial class Campaigns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "campaigns",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    service_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    template_id = table.Column<Guid>(type: "uuid", nullable: false),
                    template_version = table.Column<int>(type: "integer", nullable: false),
                    template_snapshot = table.Column<string>(type: "text", nullable: false),
                    test = table.Column<bool>(type: "boolean", nullable: false),
                    format = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    rows_total = table.Column<int>(type: "integer", nullable: false),
                    rows_accepted = table.Column<int>(type: "integer", nullable: false),
                    rows_rejected = table.Column<int>(type: "integer", nullable: false),
                    rows_released = table.Column<int>(type: "integer", nullable: false),
                    rows_recorded = table.Column<int>(type: "integer", nullable: false),
                    rows_cancelled = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    cancelled_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_campaigns", x => x.id);
                    table.ForeignKey(
                        name: "fk_campaigns_services_service_id",
                        column: x => x.service_id,
                        principalTable: "services",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "campaign_notices",
                columns: table => new
                {
                    campaign_id = table.Column<Guid>(type: "uuid", nullable: false),
                    row_number = table.Column<int>(type: "integer", nullable: false),
                    notice_id = table.Column<Guid>(type: "uuid", nullable: true),
                    refusal = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    settled = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_campaign_notices", x => new { x.campaign_id, x.row_number });
                    table.ForeignKey(
                        name: "fk_campaign_notices_campaigns_campaign_id",
                        column: x => x.campaign_id,
                        principalTable: "campaigns",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "campaign_rejections",
                columns: table => new
                {
                    campaign_id = table.Column<Guid>(type: "uuid", nullable: false),
                    row_number = table.Column<int>(type: "integer", nullable: false),
                    reason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_campaign_rejections", x => new { x.campaign_id, x.row_number });
                    table.ForeignKey(
                        name: "fk_campaign_rejections_campaigns_campaign_id",
                        column: x => x.campaign_id,
                        principalTable: "campaigns",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "campaign_rows",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    campaign_id = table.Column<Guid>(type: "uuid", nullable: false),
                    row_number = table.Column<int>(type: "integer", nullable: false),
                    fiscal_code = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    personalisation = table.Column<string>(type: "text", nullable: false),
                    released = table.Column<bool>(type: "boolean", nullable: false),
                    not_before = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_campaign_rows", x => x.id);
                    table.ForeignKey(
                        name: "fk_campaign_rows_campaigns_campaign_id",
                        column: x => x.campaign_id,
                        principalTable: "campaigns",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_campaign_notices_unsettled",
                table: "campaign_notices",
                column: "notice_id",
                filter: "NOT settled");

            migrationBuilder.CreateIndex(
                name: "ix_campaign_rows_campaign_id_row_number",
                table: "campaign_rows",
                columns: new[] { "campaign_id", "row_number" });

            migrationBuilder.CreateIndex(
                name: "ix_campaign_rows_not_before_id",
                table: "campaign_rows",
                columns: new[] { "not_before", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_campaign_rows_unreleased",
                table: "campaign_rows",
                column: "id",
                filter: "NOT released");

            migrationBuilder.CreateIndex(
                name: "ix_campaigns_service_id_id",
                table: "campaigns",
                columns: new[] { "service_id", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "campaign_notices");

            migrationBuilder.DropTable(
                name: "campaign_rejections");

            migrationBuilder.DropTable(
                name: "campaign_rows");

            migrationBuilder.DropTable(
                name: "campaigns");
        }
    }
}
