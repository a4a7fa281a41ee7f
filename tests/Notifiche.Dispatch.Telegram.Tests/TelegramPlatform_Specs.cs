using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Notifiche.Preferences.Telegram;

namespace Notifiche.Dispatch.Telegram.Tests;

/// <summary>
/// Linking a citizen's Telegram chat and delivering to it on the real stack (<see cref="PlatformHosts"/>: RabbitMQ,
/// PostgreSQL, every service composed as its Program composes it), Telegram played by a <see cref="TelegramStub"/>.
/// </summary>
[NonParallelizable]
public class Telegram_on_the_platform
{
    private const string Secret = TestSettings.TelegramWebhookSecret;
    private PlatformHosts _platform = null!;
    private HttpClient _service = null!;
    private static long _chats = Random.Shared.Next(1_000_000, 2_000_000);

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _platform = await PlatformHosts.StartAsync("telegram");
        _service = await _platform.RegisterServiceAsync("tributi-telegram", "email", "telegram");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _service?.Dispose();
        if (_platform is not null)
        {
            await _platform.DisposeAsync();
        }
    }

    private static long NewChat() => Interlocked.Increment(ref _chats);

    private async Task<string> CreateProfileAsync(string language = "it")
    {
        var fiscalCode = Citizens.NewFiscalCode();
        var response = await _platform.Preferences.PutAsJsonAsync($"/api/v1/profiles/{fiscalCode}", new { language });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return fiscalCode;
    }

    private async Task<(string Token, JsonElement Body)> LinkAsync(string fiscalCode)
    {
        var response = await _platform.Preferences.PostAsync($"/api/v1/profiles/{fiscalCode}/telegram/link", null);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var link = new Uri(body.GetProperty("link").GetString()!);
        return (link.Query["?start=".Length..], body);
    }

    private async Task<long?> ChatOfAsync(string fiscalCode)
    {
        var profile = await _platform.Preferences.GetFromJsonAsync<JsonElement>($"/api/v1/profiles/{fiscalCode}");
        return profile.GetProperty("telegram_chat_id") is { ValueKind: JsonValueKind.Number } chat ? chat.GetInt64() : null;
    }

    private async Task<(string FiscalCode, long Chat)> LinkedCitizenAsync()
    {
        var fiscalCode = await CreateProfileAsync();
        var (token, _) = await LinkAsync(fiscalCode);
        var chat = NewChat();
        var reply = await _platform.Telegram.PostUpdateAsync(_platform.TelegramWebhook, Secret, chat, $"/start {token}");
        Assert.That(reply.Text, Is.EqualTo(BotReplies.Text(BotReplies.Reply.Linked, "it")), reply.ToString());
        return (fiscalCode, chat);
    }

    [Test]
    public async Task A_link_opened_in_telegram_should_give_the_profile_the_chat_and_the_bot_should_say_so()
    {
        var fiscalCode = await CreateProfileAsync(language: "en");
        var (token, body) = await LinkAsync(fiscalCode);
        var chat = NewChat();

        var reply = await _platform.Telegram.PostUpdateAsync(_platform.TelegramWebhook, Secret, chat, $"/start {token}");

        var linked = await ChatOfAsync(fiscalCode);
        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty("link").GetString(), Does.StartWith($"https://t.me/{TelegramStub.BotUsername}?start="));
            Assert.That(token, Does.Match("^[A-Za-z0-9_-]{32}$"), "a deep-link parameter Telegram accepts");
            Assert.That(body.GetProperty("expires_at").GetDateTimeOffset(), Is.GreaterThan(DateTimeOffset.UtcNow).And.LessThan(DateTimeOffset.UtcNow.AddMinutes(16)));
            Assert.That(reply.Status, Is.EqualTo(200));
            Assert.That(reply.Method, Is.EqualTo("sendMessage"));
            Assert.That(reply.ChatId, Is.EqualTo(chat));
            Assert.That(reply.Text, Is.EqualTo(BotReplies.Text(BotReplies.Reply.Linked, "en")), "in the profile's language");
            Assert.That(linked, Is.EqualTo(chat));
        });
    }

    [Test]
    public async Task A_link_token_should_be_stored_only_as_its_hash()
    {
        var fiscalCode = await CreateProfileAsync();

        var (token, _) = await LinkAsync(fiscalCode);

        await using var connection = new NpgsqlConnection(_platform.PreferencesDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT token_hash FROM telegram_link_tokens WHERE fiscal_code = @cf", connection);
        command.Parameters.AddWithValue("cf", fiscalCode);
        Assert.That(await command.ExecuteScalarAsync(), Is.EqualTo(TelegramLinks.Hash(token)).And.Not.Contains(token));
    }

    [Test]
    public async Task A_reused_link_should_link_nothing_and_the_bot_should_answer_politely()
    {
        var fiscalCode = await CreateProfileAsync();
        var (token, _) = await LinkAsync(fiscalCode);
        var (first, other) = (NewChat(), NewChat());
        await _platform.Telegram.PostUpdateAsync(_platform.TelegramWebhook, Secret, first, $"/start {token}");

        var reply = await _platform.Telegram.PostUpdateAsync(_platform.TelegramWebhook, Secret, other, $"/start {token}");

        Assert.That(reply.Status, Is.EqualTo(200));
        Assert.That(reply.ChatId, Is.EqualTo(other));
        Assert.That(reply.Text, Is.EqualTo(BotReplies.Text(BotReplies.Reply.LinkNotValid, "it")));
        Assert.That(await ChatOfAsync(fiscalCode), Is.EqualTo(first), "the second use linked nothing");
    }

    [Test]
    public async Task An_expired_link_should_link_nothing_and_the_bot_should_answer_politely()
    {
        var fiscalCode = await CreateProfileAsync();
        var (token, _) = await LinkAsync(fiscalCode);
        await using (var connection = new NpgsqlConnection(_platform.PreferencesDatabase.ConnectionString))
        {
            await connection.OpenAsync();
            await using var expire = new NpgsqlCommand("UPDATE telegram_link_tokens SET expires_at = now() - interval '1 second' WHERE fiscal_code = @cf", connection);
            expire.Parameters.AddWithValue("cf", fiscalCode);
            Assert.That(await expire.ExecuteNonQueryAsync(), Is.EqualTo(1));
        }

        var reply = await _platform.Telegram.PostUpdateAsync(_platform.TelegramWebhook, Secret, NewChat(), $"/start {token}");

        Assert.That(reply.Text, Is.EqualTo(BotReplies.Text(BotReplies.Reply.LinkNotValid, "it")));
        Assert.That(await ChatOfAsync(fiscalCode), Is.Null);
    }

    [TestCase(null)]
    [TestCase("a-wrong-secret-a-wrong-secret-a-wrong-secret")]
    public async Task An_update_without_the_webhook_secret_should_be_refused_and_link_nothing(string? secret)
    {
        var fiscalCode = await CreateProfileAsync();
        var (token, _) = await LinkAsync(fiscalCode);

        var reply = await _platform.Telegram.PostUpdateAsync(_platform.TelegramWebhook, secret, NewChat(), $"/start {token}");

        Assert.That(reply.Status, Is.EqualTo(401));
        Assert.That(await ChatOfAsync(fiscalCode), Is.Null);
    }

    [Test]
    public async Task Stop_should_unlink_the_chat()
    {
        var (fiscalCode, chat) = await LinkedCitizenAsync();

        var reply = await _platform.Telegram.PostUpdateAsync(_platform.TelegramWebhook, Secret, chat, "/stop");

        Assert.That(reply.Text, Is.EqualTo(BotReplies.Text(BotReplies.Reply.Unlinked, "it")));
        Assert.That(await ChatOfAsync(fiscalCode), Is.Null);
    }

    [Test]
    public async Task Replacing_the_profile_should_keep_the_linked_chat()
    {
        var (fiscalCode, chat) = await LinkedCitizenAsync();

        var response = await _platform.Preferences.PutAsJsonAsync($"/api/v1/profiles/{fiscalCode}", new { language = "de" });

        response.EnsureSuccessStatusCode();
        Assert.That(await ChatOfAsync(fiscalCode), Is.EqualTo(chat));
    }

    [Test]
    public async Task Asking_a_link_for_a_bad_codice_fiscale_or_an_unknown_citizen_should_be_a_problem()
    {
        var bad = await _platform.Preferences.PostAsync("/api/v1/profiles/NOTAFISCALCODE/telegram/link", null);
        var unknown = await _platform.Preferences.PostAsync($"/api/v1/profiles/{Citizens.NewFiscalCode()}/telegram/link", null);

        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(bad.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That((await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("fiscal_code", out _), Is.True);
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task A_notice_for_a_citizen_with_a_linked_chat_should_reach_the_chat()
    {
        var (fiscalCode, chat) = await LinkedCitizenAsync();

        var id = await SubmitAsync(fiscalCode, "Il bollo <auto> scade il 31/01 & oltre");

        var status = await NoticeStatuses.WaitForChannelAsync(_service, id, "telegram", "SENT");
        var message = _platform.Telegram.Accepted.Single(r => r.ChatId == chat);
        Assert.Multiple(() =>
        {
            Assert.That(message.ParseMode, Is.EqualTo("HTML"));
            Assert.That(message.Text, Does.Contain("Il bollo &lt;auto&gt; scade il 31/01 &amp; oltre"));
            Assert.That(status.GetProperty("channels").EnumerateArray().Select(c => c.GetProperty("channel").GetString()), Does.Contain("telegram"));
        });
    }

    [Test]
    public async Task A_chat_that_blocked_the_bot_should_fail_the_channel_with_the_reason_and_be_unlinked()
    {
        var (fiscalCode, chat) = await LinkedCitizenAsync();
        var previous = _platform.Telegram.Answer;
        _platform.Telegram.Answer = (r, n) => r.ChatId == chat ? TelegramAnswer.Blocked() : previous(r, n);

        var id = await SubmitAsync(fiscalCode, "Referto disponibile");

        var status = await NoticeStatuses.WaitForChannelAsync(_service, id, "telegram", "FAILED");
        var telegram = status.GetProperty("channels").EnumerateArray().Single(c => c.GetProperty("channel").GetString() == "telegram");
        Assert.That(telegram.GetProperty("reason").GetString(), Does.Contain("BOT_BLOCKED").And.Contain("unlinked"));
        await Eventually.Until(() => ChatOfAsync(fiscalCode), c => c is null, TimeSpan.FromSeconds(15), "the chat unlinked");
    }

    [Test]
    public async Task A_sensitive_notice_should_reach_the_chat_as_a_pointer_to_the_inbox_without_its_content()
    {
        var (fiscalCode, chat) = await LinkedCitizenAsync();

        var id = await SubmitAsync(fiscalCode, "Esito del test sierologico: NEGATIVO", sensitive: true);

        await NoticeStatuses.WaitForChannelAsync(_service, id, "telegram", "SENT");
        var message = _platform.Telegram.Accepted.Single(r => r.ChatId == chat);
        Assert.Multiple(() =>
        {
            Assert.That(message.Text, Does.Contain("Comune di Prova"), "who sent it"); // every test service's administration
            Assert.That(message.Text, Does.Not.Contain("sierologico").And.Not.Contain("NEGATIVO").And.Not.Contain("dettagli"),
                "nothing of the subject or the content (issue 17, point 7)");
        });
    }

    private async Task<Guid> SubmitAsync(string fiscalCode, string subject, bool sensitive = false)
    {
        var response = await _service.PostAsJsonAsync("/api/v1/notices", new
        {
            fiscal_code = fiscalCode,
            content = new { subject, markdown = "Gentile cittadino, trovi tutti i dettagli di questo avviso e le istruzioni per procedere nell'app dei servizi pubblici." },
            sensitive,
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }
}

/// <summary>Preferences refuses to start with Telegram half configured or a guessable webhook secret (issue 16's rule: secrets of 32+ characters).</summary>
public class Preferences_with_a_bad_telegram_configuration
{
    [TestCase("notifiche_test_bot", "too-short-secret")]
    [TestCase("notifiche_test_bot", "")]
    [TestCase("notifiche_test_bot", "a secret with spaces is not one Telegram accepts!")]
    [TestCase("", TestSettings.TelegramWebhookSecret)]
    public void Should_not_start(string botUsername, string secret)
    {
        var failure = Assert.CatchAsync<Exception>(() => ServiceHosts.StartAsync(ServiceHosts.Preferences, Settings(botUsername, secret), _ => { }));
        // One validation failure is an OptionsValidationException; a secret both malformed for Telegram and too short for
        // issue 16's rule fails two validations at once, which the host reports as an AggregateException of both.
        var failures = failure is AggregateException all ? all.InnerExceptions.ToList() : [failure!];

        Assert.That(failures, Is.All.InstanceOf<Microsoft.Extensions.Options.OptionsValidationException>());
        Assert.That(failures.Select(f => f.Message), Has.Some.Contain("Preferences:Telegram:"));
        Assert.That(failures.Select(f => f.Message), Has.None.Contain(TestSettings.TelegramWebhookSecret), "a secret is never echoed");
    }

    [Test]
    public async Task Should_start_with_telegram_off_and_refuse_every_webhook_call()
    {
        await using var preferences = await ServiceHosts.StartAsync(ServiceHosts.Preferences, Settings("", ""), _ => { });
        using var client = new HttpClient { BaseAddress = ServiceHosts.PublicAddress(preferences) };
        client.DefaultRequestHeaders.Add("X-Telegram-Bot-Api-Secret-Token", "");

        var answer = await client.PostAsJsonAsync("/api/v1/telegram/webhook", new { update_id = 1 });

        Assert.That((int)answer.StatusCode, Is.EqualTo(401), "no secret configured: nobody is Telegram");
    }

    private static Dictionary<string, string?> Settings(string botUsername, string secret) =>
        new()
        {
            ["Messaging:Transport"] = "InMemory",
            ["ConnectionStrings:Preferences"] = $"Data Source={Path.Combine(Path.GetTempPath(), $"notifiche-prefs-{Guid.NewGuid():N}.db")}",
            ["Preferences:Database:Provider"] = "Sqlite",
            ["Preferences:AppBackendKey"] = TestSettings.AppBackendKey,
            ["Preferences:Telegram:BotUsername"] = botUsername,
            ["Preferences:Telegram:WebhookSecret"] = secret,
        };
}
