using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Notifiche.Testing;

namespace Notifiche.Inbox.Tests;

public class Paging_the_inbox_while_notices_arrive
{
    [Test]
    public async Task Should_return_every_notice_there_when_paging_began_exactly_once_newest_first()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("inbox-paging");
        var citizen = Citizens.NewFiscalCode();
        var before = new List<Guid>();
        for (var i = 0; i < 25; i++)
        {
            before.Add(await Api.SubmitAsync(service, Api.Notice(citizen, Api.NewEmail("paging"))));
        }

        await Api.WaitForInboxAsync(citizen, before.Count);

        // Notices keep arriving for the same citizen while the app pages through the inbox, seven at a time.
        using var stop = new CancellationTokenSource();
        var arrived = new ConcurrentBag<Guid>();
        var inserts = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                arrived.Add(await Api.SubmitAsync(service, Api.Notice(citizen, Api.NewEmail("paging"))));
            }
        });
        var seen = new List<Guid>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Api.PageAsync(citizen, $"?page_size=7{(cursor is null ? "" : $"&cursor={cursor}")}");
            seen.AddRange(Api.Ids(page));
            cursor = page.GetProperty("next_cursor").GetString();
            pages++;
            await Task.Delay(150); // the citizen scrolls; meanwhile more notices are routed into the inbox
        }
        while (cursor is not null && pages < 50);

        await stop.CancelAsync();
        await inserts;
        Assert.That(arrived, Is.Not.Empty, "notices arrived while paging");
        Assert.That(seen, Is.Unique, "no notice is listed twice");
        Assert.That(seen, Is.SupersetOf(before), "every notice in the inbox when paging began is listed");
        Assert.That(seen.Select(id => id.ToString()), Is.Ordered.Descending, "newest first");
    }
}

public class Filtering_and_archiving
{
    [Test]
    public async Task Should_list_only_unread_notices_when_asked_and_leave_archived_ones_out_unless_asked()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("inbox-filters");
        var citizen = Citizens.NewFiscalCode();
        var read = await Api.SubmitAsync(service, Api.Notice(citizen, Api.NewEmail("filters")));
        var unread = await Api.SubmitAsync(service, Api.Notice(citizen, Api.NewEmail("filters")));
        var archived = await Api.SubmitAsync(service, Api.Notice(citizen, Api.NewEmail("filters")));
        await Api.WaitForInboxAsync(citizen, 3);

        var marked = await Api.MarkReadAsync(citizen, read);
        Assert.That(marked.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var readAt = (await marked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("read_at").GetDateTimeOffset();
        Assert.That((await Api.ArchiveAsync(citizen, archived)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var again = await (await Api.MarkReadAsync(citizen, read)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(again.GetProperty("read_at").GetDateTimeOffset(), Is.EqualTo(readAt), "the first reading counts");

        Assert.That(Api.Ids(await Api.PageAsync(citizen, "?unread=true")), Is.EqualTo(new[] { unread }));
        Assert.That(Api.Ids(await Api.PageAsync(citizen)), Is.EqualTo(new[] { unread, read }));
        Assert.That(Api.Ids(await Api.PageAsync(citizen, "?archived=true")), Is.EqualTo(new[] { archived, unread, read }));
        Assert.That(Api.Ids(await Api.PageAsync(citizen, "?archived=true&unread=true")), Is.EqualTo(new[] { archived, unread }));
    }

    [Test]
    public async Task Should_keep_rejected_notices_out_of_the_inbox()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("inbox-rejected");
        var citizen = Citizens.NewFiscalCode();
        // No profile and no default address: routing rejects it (USER_NOT_FOUND).
        var rejected = await Api.SubmitAsync(service, Api.Notice(citizen));
        var kept = await Api.SubmitAsync(service, Api.Notice(citizen, Api.NewEmail("rejected")));
        await Api.WaitForStatusAsync(service, rejected, s => s.GetProperty("status").GetString() == "REJECTED", "rejected");
        await Api.WaitForInboxAsync(citizen, 1);

        Assert.That(Api.Ids(await Api.PageAsync(citizen, "?archived=true")), Is.EqualTo(new[] { kept }));
        Assert.That((await Api.ReadAsync(citizen, rejected)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }
}

public class Reading_a_notice
{
    [Test]
    public async Task Should_show_the_full_content_as_safe_html_with_its_sender()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("inbox-reading");
        var citizen = Citizens.NewFiscalCode();
        const string markdown = "Il tuo **referto** è pronto: [apri](https://example.it/referto), [scrivici](mailto:asl@example.it), "
            + "[trappola](javascript:alert(1)) e <script>alert(2)</script> ![pixel](https://tracker.example.com/p.gif) fine del testo.";
        var id = await Api.SubmitAsync(service, Api.Notice(citizen, Api.NewEmail("reading"), markdown: markdown, dueDate: "2026-12-31"));
        await Api.WaitForInboxAsync(citizen, 1);

        var response = await Api.ReadAsync(citizen, id);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var notice = await response.Content.ReadFromJsonAsync<JsonElement>();
        var html = notice.GetProperty("html").GetString()!;
        TestContext.Out.WriteLine(html);
        Assert.That(notice.GetProperty("markdown").GetString(), Is.EqualTo(markdown));
        Assert.That(notice.GetProperty("due_date").GetString(), Is.EqualTo("2026-12-31"));
        Assert.That(notice.GetProperty("service").GetProperty("name").GetString(), Is.EqualTo("Anagrafe"));
        Assert.That(notice.GetProperty("service").GetProperty("organization_name").GetString(), Is.EqualTo("Comune di Prova"));
        Assert.That(html, Does.Contain("<strong>referto</strong>"));
        Assert.That(html, Does.Contain("<a href=\"https://example.it/referto\" rel=\"noopener noreferrer\">apri</a>"));
        Assert.That(html, Does.Contain("href=\"mailto:asl@example.it\""));
        Assert.That(html, Does.Not.Contain("javascript:"));
        Assert.That(html, Does.Contain("trappola"), "an unsafe link keeps its text");
        Assert.That(html, Does.Not.Contain("<script"));
        Assert.That(html, Does.Contain("&lt;script&gt;"), "raw HTML is shown as text");
        Assert.That(html, Does.Not.Contain("<img"), "no remote content that would tell the sender the notice was opened");
        Assert.That(notice.GetProperty("read_at").ValueKind, Is.EqualTo(JsonValueKind.Null), "reading the content does not mark it read");
    }
}

public class Reaching_another_citizens_notice
{
    [Test]
    public async Task Should_not_find_it_nor_list_it_nor_mark_it()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("inbox-other-citizen");
        var owner = Citizens.NewFiscalCode();
        var other = Citizens.NewFiscalCode();
        var id = await Api.SubmitAsync(service, Api.Notice(owner, Api.NewEmail("owner")));
        await Api.SubmitAsync(service, Api.Notice(other, Api.NewEmail("other")));
        await Api.WaitForInboxAsync(owner, 1);
        await Api.WaitForInboxAsync(other, 1);

        Assert.That((await Api.ReadAsync(other, id)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await Api.MarkReadAsync(other, id)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await Api.ArchiveAsync(other, id)).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(Api.Ids(await Api.PageAsync(other, "?archived=true")), Does.Not.Contain(id));
        var owned = await (await Api.ReadAsync(owner, id)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(owned.GetProperty("read_at").ValueKind, Is.EqualTo(JsonValueKind.Null), "the other citizen's attempt marked nothing");
        Assert.That(owned.GetProperty("archived_at").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task Should_refuse_the_inbox_without_the_app_backend_key_and_with_a_service_key()
    {
        var service = await Platform.Hosts.RegisterServiceAsync("inbox-keys");
        var citizen = Citizens.NewFiscalCode();
        using var anonymous = new HttpClient { BaseAddress = Platform.Hosts.Gateway.BaseAddress };
        Assert.That((await anonymous.GetAsync($"/api/v1/inbox/{citizen}/notices")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await service.GetAsync($"/api/v1/inbox/{citizen}/notices")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var invalid = await Platform.Hosts.Inbox.GetAsync("/api/v1/inbox/RSSMRA85T10A562X/notices");
        Assert.That(invalid.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await invalid.Content.ReadAsStringAsync(), Does.Not.Contain("RSSMRA85T10A562X"), "the problem does not echo the codice fiscale");
    }
}

public class Keeping_the_codice_fiscale_out_of_logs
{
    [Test]
    public async Task Should_log_no_codice_fiscale_while_the_inbox_is_used()
    {
        var mark = LogCapture.Instance.Mark();
        var service = await Platform.Hosts.RegisterServiceAsync("inbox-privacy");
        var citizen = Citizens.NewFiscalCode();
        var id = await Api.SubmitAsync(service, Api.Notice(citizen, Api.NewEmail("privacy")));
        await Api.WaitForInboxAsync(citizen, 1);
        Assert.That((await Api.ReadAsync(citizen, id)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await Api.MarkReadAsync(citizen, id)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await Api.ArchiveAsync(citizen, id)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await Platform.Hosts.Inbox.GetAsync($"/api/v1/inbox/{citizen}/notices/{Guid.NewGuid()}")).StatusCode,
            Is.EqualTo(HttpStatusCode.NotFound));

        // Only the lines logged since this spec began (the capture is shared with every other spec of the run).
        var lines = LogCapture.Instance.LinesSince(mark);
        Assert.That(lines, Is.Not.Empty, "the hosts log at Debug: the calls above were logged");
        Assert.That(lines.Where(l => l.Contains(citizen, StringComparison.OrdinalIgnoreCase)), Is.Empty);
    }
}
