using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Notifiche.Gateway.Data.Migrations
{
    /// <inheritdoc />
    public partial class HoldUntilRegistered : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "hold_until_registered",
                table: "notices",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "hold_until_registered",
                table: "notices");
        }
    }
}
