using Notifiche.Testing;

namespace Notifiche.Client.Tests;

/// <summary>Issue 18, point 5 through the client: templates registered, previewed, changed and sent from, against the real gateway.</summary>
public class Templates_through_the_client
{
    private static readonly NewTemplate Bollo = new("Bollo auto", new Dictionary<string, TemplateText>
    {
        ["it"] = new("Bollo auto per ((targa)) in scadenza", "Gentile **((nome))**, il bollo auto del veicolo ((targa)) scade a fine mese: paga su pagoPA."),
        ["fr"] = new("Taxe automobile ((targa)) à payer", "Madame, Monsieur **((nome))**, la taxe du véhicule ((targa)) est due à la fin du mois."),
    });

    private static readonly Dictionary<string, string> Values = new() { ["nome"] = "Maria Rossi", ["targa"] = "AB123CD" };

    [Test]
    public async Task Should_register_preview_change_and_send_a_template_in_the_citizens_language()
    {
        var client = await Platform.ServiceClientAsync("client-templates");
        var template = await client.CreateTemplateAsync(Bollo);
        Assert.That(template.Placeholders, Is.EqualTo(new[] { "targa", "nome" }));
        Assert.That((await client.ListTemplatesAsync()).Select(t => t.Id), Does.Contain(template.Id));

        var preview = await client.PreviewTemplateAsync(template.Id, Values, "fr");
        Assert.That(preview.Subject, Is.EqualTo("Taxe automobile AB123CD à payer"));
        Assert.That(preview.Html, Does.Contain("<strong>Maria Rossi</strong>"));
        var missing = Assert.ThrowsAsync<NotificheApiException>(() => client.PreviewTemplateAsync(template.Id, new Dictionary<string, string>()))!;
        Assert.That(missing.Errors.Keys, Is.EquivalentTo(new[] { "personalisation.nome", "personalisation.targa" }));

        var app = Platform.AppBackendClient();
        var citizen = Citizens.NewFiscalCode();
        await app.PutProfileAsync(citizen, new ProfileUpdate { Email = "marie.dupont@example.it", EmailVerified = true, Language = "fr" });
        var submitted = await client.SubmitNoticeAsync(NewNotice.FromTemplate(citizen, template.Id, Values));
        var changed = await client.UpdateTemplateAsync(template.Id, Bollo with { Name = "Bollo auto 2027" });
        Assert.That(changed.Version, Is.EqualTo(2));

        var status = await Eventually.Until(() => client.GetNoticeAsync(submitted.Id), s => s!.Channel("email")?.Status == "SENT",
            TimeSpan.FromSeconds(60), "email SENT");
        Assert.That(status!.Template, Is.Not.Null);
        Assert.That((status.Template!.Id, status.Template.Version, status.Template.Language), Is.EqualTo((template.Id, 1, "fr")));
        var notice = await app.GetInboxNoticeAsync(citizen, submitted.Id);
        Assert.That(notice!.Subject, Is.EqualTo("Taxe automobile AB123CD à payer"));
        Assert.That(notice.Language, Is.EqualTo("fr"));
        Assert.That(notice.ContentSha256, Is.EqualTo(status.Template.Variants["fr"]));

        Assert.That(await client.DeleteTemplateAsync(template.Id), Is.True);
        Assert.That(await client.GetTemplateAsync(template.Id), Is.Null);
        var unknown = Assert.ThrowsAsync<NotificheApiException>(() => client.SubmitNoticeAsync(NewNotice.FromTemplate(citizen, template.Id, Values)))!;
        Assert.That(unknown.Errors.Keys, Is.EquivalentTo(new[] { "template_id" }));
    }
}
