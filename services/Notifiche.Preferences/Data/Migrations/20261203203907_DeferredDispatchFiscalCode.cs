using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Notifiche.Preferences.Data.Migrations
{
    /// <inheritdoc />
    public partial class DeferredDispatchFiscalCode : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "fiscal_code",
                table: "deferred_dispatches",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_deferred_dispatches_fiscal_code",
                table: "deferred_dispatches",
                column: "fiscal_code");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_deferred_dispatches_fiscal_code",
                table: "deferred_dispatches");

            migrationBuilder.DropColumn(
                name: "fiscal_code",
                table: "deferred_dispatches");
        }
    }
}
