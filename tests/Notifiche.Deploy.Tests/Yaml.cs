using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Notifiche.Deploy.Tests;

/// <summary>
/// YAML read into plain maps, lists and strings, with merge keys (<c>&lt;&lt;: *anchor</c>) applied as Compose applies them.
/// </summary>
public static class Yaml
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder().Build();

    public static IReadOnlyList<Dictionary<object, object?>> Documents(string text)
    {
        var parser = new MergingParser(new Parser(new StringReader(text)));
        parser.Consume<StreamStart>();
        var documents = new List<Dictionary<object, object?>>();
        while (parser.Accept<DocumentStart>(out _))
        {
            if (Deserializer.Deserialize<object?>(parser) is Dictionary<object, object?> document)
            {
                documents.Add(document);
            }
        }

        return documents;
    }

    public static Dictionary<object, object?> Document(string text) => Documents(text).Single();

    /// <summary>The map at <paramref name="path"/> (keys separated by dots), or an empty map.</summary>
    public static Dictionary<object, object?> Map(this Dictionary<object, object?> node, string path) =>
        node.Find(path) as Dictionary<object, object?> ?? [];

    public static List<object?> List(this Dictionary<object, object?> node, string path) =>
        node.Find(path) as List<object?> ?? [];

    public static string? Text(this Dictionary<object, object?> node, string path) => node.Find(path) as string;

    public static IEnumerable<Dictionary<object, object?>> Maps(this List<object?> list) => list.OfType<Dictionary<object, object?>>();

    public static IEnumerable<string> Keys(this Dictionary<object, object?> map) => map.Keys.Select(k => k.ToString()!);

    private static object? Find(this Dictionary<object, object?> node, string path)
    {
        object? current = node;
        foreach (var key in path.Split('.'))
        {
            if (current is not Dictionary<object, object?> map || !map.TryGetValue(key, out current))
            {
                return null;
            }
        }

        return current;
    }
}
