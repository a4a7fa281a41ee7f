using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Notifiche.Preferences.Data.Migrations
{
    /// <inheritdoc />
    public partial class ContentOnlyInInbox : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "content_only_in_inbox",
                table: "profiles",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "content_only_in_inbox",
                table: "profiles");
        }
    }
}
