namespace Notifiche.Dispatch.Push.Tests;

/// <summary>
/// Issue 16, point 1: the push dispatcher refuses to start without a Firebase project and a readable service-account
/// key — at start, not after the first push's half hour of retries.
/// </summary>
public class Starting_the_push_dispatcher_without_firebase_credentials
{
    private FcmStub _stub = null!;

    [SetUp]
    public async Task StartStub() => _stub = await FcmStub.StartAsync();

    [TearDown]
    public async Task StopStub() => await _stub.DisposeAsync();

    [TestCase("Push:Fcm:ProjectId", null, "Push:Fcm:ProjectId (environment Push__Fcm__ProjectId) is not set")]
    [TestCase("Push:Fcm:ProjectId", "change-me-firebase-project", "Push:Fcm:ProjectId (environment Push__Fcm__ProjectId) is a placeholder")]
    [TestCase("Push:Fcm:CredentialsFile", "", "Push:Fcm:CredentialsFile (environment Push__Fcm__CredentialsFile) is not set")]
    [TestCase("Push:Fcm:CredentialsFile", "/nonexistent/fcm-key.json", "Push:Fcm:CredentialsFile (/nonexistent/fcm-key.json) cannot be read")]
    public async Task Should_refuse_naming_the_setting(string setting, string? value, string expected)
    {
        var settings = PushTestHost.Settings(_stub);
        settings[setting] = value;

        Assert.That(await StartFailureAsync(settings), Does.Contain(expected));
    }

    [Test]
    public async Task Should_refuse_a_file_that_is_no_service_account_key_without_showing_its_content()
    {
        var file = Path.Combine(Path.GetTempPath(), $"fcm-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """{"type": "service_account", "project_id": "change-me-firebase-project", "private_key": "not-a-key-s3cr3t"}""");
        try
        {
            var settings = PushTestHost.Settings(_stub);
            settings["Push:Fcm:CredentialsFile"] = file;

            var failure = await StartFailureAsync(settings);

            Assert.That(failure, Does.Contain($"Push:Fcm:CredentialsFile ({file}) is not a Firebase service-account JSON key"));
            Assert.That(failure, Does.Not.Contain("s3cr3t"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<string> StartFailureAsync(Dictionary<string, string?> settings)
    {
        using var host = PushTestHost.Build(settings);
        var failure = Assert.CatchAsync(() => host.StartAsync());
        await Task.CompletedTask;
        return failure is AggregateException all ? string.Join('\n', all.InnerExceptions.Select(e => e.Message)) : failure!.Message;
    }
}
