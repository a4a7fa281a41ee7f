using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Notifiche.Preferences.Data.Migrations
{
    /// <inheritdoc />
    public partial class TelegramLinks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "telegram_chat_id",
                table: "profiles",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "telegram_enabled",
                table: "profiles",
                type: "boolean",
                nullable: false,
                // Existing profiles get the channel on, as every channel is for a new profile.
                defaultValue: true);

            migrationBuilder.CreateTable(
                name: "telegram_link_tokens",
                columns: table => new
                {
                    token_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    fiscal_code = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_telegram_link_tokens", x => x.token_hash);
                });

            migrationBuilder.CreateIndex(
                name: "ix_profiles_telegram_chat_id",
                table: "profiles",
                column: "telegram_chat_id");

            migrationBuilder.CreateIndex(
                name: "ix_telegram_link_tokens_fiscal_code",
                table: "telegram_link_tokens",
                column: "fiscal_code");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "telegram_link_tokens");

            migrationBuilder.DropIndex(
                name: "ix_profiles_telegram_chat_id",
                table: "profiles");

            migrationBuilder.DropColumn(
                name: "telegram_chat_id",
                table: "profiles");

            migrationBuilder.DropColumn(
                name: "telegram_enabled",
                table: "profiles");
        }
    }
}
