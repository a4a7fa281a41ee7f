namespace Notifiche.Deploy.Tests;

public class Listing_the_software_for_reuse
{
    private static readonly Dictionary<object, object?> PublicCode = Yaml.Document(Repository.Read("publiccode.yml"));

    [Test]
    public void Should_carry_the_keys_publiccode_yml_0_4_requires()
    {
        Assert.Multiple(() =>
        {
            Assert.That(PublicCode.Text("publiccodeYmlVersion"), Is.EqualTo("0.4"));
            foreach (var key in new[] { "name", "url", "softwareVersion", "releaseDate", "developmentStatus", "softwareType", "legal.license", "maintenance.type" })
            {
                Assert.That(PublicCode.Text(key), Is.Not.Null.And.Not.Empty, key);
            }

            Assert.That(PublicCode.Text("url"), Does.StartWith("https://"));
            Assert.That(DateOnly.TryParseExact(PublicCode.Text("releaseDate"), "yyyy-MM-dd", out _), Is.True, "releaseDate");
            Assert.That(PublicCode.Text("legal.license"), Is.EqualTo("EUPL-1.2"));
            Assert.That(PublicCode.Text("developmentStatus"), Is.AnyOf("concept", "development", "beta", "stable", "obsolete"));
            Assert.That(PublicCode.Text("softwareType"), Is.AnyOf("standalone/mobile", "standalone/iot", "standalone/desktop", "standalone/web",
                "standalone/backend", "standalone/other", "addon", "library", "configurationFiles"));
            Assert.That(PublicCode.Text("maintenance.type"), Is.AnyOf("internal", "contract", "community", "none"));
            Assert.That(PublicCode.List("maintenance.contacts").Maps().Select(c => c.Text("name")), Is.Not.Empty);
            Assert.That(PublicCode.List("platforms"), Is.Not.Empty);
            Assert.That(PublicCode.List("categories"), Is.Not.Empty);
            Assert.That(PublicCode.Text("description.it.shortDescription")!.Length, Is.InRange(1, 150));
            Assert.That(PublicCode.Text("description.it.longDescription")!.Length, Is.InRange(150, 10000));
            Assert.That(PublicCode.List("description.it.features"), Is.Not.Empty);
            Assert.That(PublicCode.Text("localisation.localisationReady"), Is.AnyOf("true", "false"));
            Assert.That(PublicCode.List("localisation.availableLanguages"), Is.Not.Empty);
            Assert.That(PublicCode.Text("it.countryExtensionVersion"), Is.EqualTo("1.0"));
        });
    }

    [Test]
    public void Should_state_the_version_the_changelog_releases_last()
    {
        Assert.That(Repository.Read("CHANGELOG.md"), Does.Contain($"## [{PublicCode.Text("softwareVersion")}] - {PublicCode.Text("releaseDate")}"));
    }
}
