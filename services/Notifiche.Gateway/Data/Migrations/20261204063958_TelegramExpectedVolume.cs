using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Notifiche.Gateway.Data.Migrations
{
    /// <inheritdoc />
    public partial class TelegramExpectedVolume : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "expected_monthly_telegram",
                table: "services",
                type: "integer",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "expected_monthly_telegram",
                table: "services");
        }
    }
}
