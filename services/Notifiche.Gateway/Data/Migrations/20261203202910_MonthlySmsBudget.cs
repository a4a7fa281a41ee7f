using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Notifiche.Gateway.Data.Migrations
{
    /// <inheritdoc />
    public partial class MonthlySmsBudget : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateOnly>(
                name: "sms_budget_month",
                table: "notices",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "sms_reserved_segments",
                table: "notices",
                type: "integer",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "monthly_sms_usage",
                columns: table => new
                {
                    service_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    month = table.Column<DateOnly>(type: "date", nullable: false),
                    segments = table.Column<int>(type: "integer", nullable: false),
                    last_reserved = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_monthly_sms_usage", x => new { x.service_id, x.month });
                    table.ForeignKey(
                        name: "fk_monthly_sms_usage_services_service_id",
                        column: x => x.service_id,
                        principalTable: "services",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            // The counter starts from what each month's sent SMS already spent (the budget's old sum), so an upgrade in the
            // middle of a month does not hand a service its budget a second time.
            migrationBuilder.Sql("""
                INSERT INTO monthly_sms_usage (service_id, month, segments, last_reserved)
                SELECT n.service_id, CAST(date_trunc('month', n.accepted_at AT TIME ZONE 'UTC') AS date), SUM(c.segments), 0
                FROM notice_channels c JOIN notices n ON n.id = c.notice_id
                WHERE c.channel = 'sms' AND c.status = 'SENT' AND c.segments IS NOT NULL AND NOT n.test
                GROUP BY 1, 2
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "monthly_sms_usage");

            migrationBuilder.DropColumn(
                name: "sms_budget_month",
                table: "notices");

            migrationBuilder.DropColumn(
                name: "sms_reserved_segments",
                table: "notices");
        }
    }
}
