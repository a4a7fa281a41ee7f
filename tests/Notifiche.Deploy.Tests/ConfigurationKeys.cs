using System.Reflection;
using System.Text.Json;

namespace Notifiche.Deploy.Tests;

/// <summary>
/// The configuration keys a service reads: those in its appsettings.json, the properties of its options classes (each
/// class with a <c>Section</c> constant, walked recursively), and its <c>…Setting</c> constants. An environment
/// variable in .NET form (<c>Sms__Twilio__AuthToken</c>) is accepted only if it names one of them, so renaming a
/// setting in the code breaks a deployment file that still uses the old name.
/// </summary>
public sealed class ConfigurationKeys
{
    /// <summary>Read by libraries, not by our configuration: OpenTelemetry, ASP.NET Core, the runtime, MassTransit, Npgsql.</summary>
    private static readonly string[] LibraryVariablePrefixes = ["OTEL_", "ASPNETCORE_", "DOTNET_", "MASSTRANSIT_"];

    private static readonly string[] LibraryVariables = ["PGPASSWORD"];

    private readonly HashSet<string> _keys = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _dictionaryPrefixes = [];
    private readonly List<string> _listPrefixes = [];

    public ConfigurationKeys(string appSettingsJson, IEnumerable<Assembly> assemblies)
    {
        using (var json = JsonDocument.Parse(appSettingsJson))
        {
            AddJson(json.RootElement, prefix: null);
        }

        foreach (var type in assemblies.SelectMany(a => a.GetTypes()))
        {
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f is { IsLiteral: true } && f.FieldType == typeof(string)))
            {
                var value = (string)field.GetRawConstantValue()!;
                if (field.Name == "Section")
                {
                    AddOptions(type, value, depth: 0);
                }
                else if (field.Name.EndsWith("Setting", StringComparison.Ordinal) && value.Contains(':'))
                {
                    _keys.Add(value);
                }
            }
        }
    }

    public IReadOnlySet<string> Keys => _keys;

    public static string FromEnvironment(string variable) => variable.Replace("__", ":", StringComparison.Ordinal);

    /// <summary>Whether the service reads this environment variable (directly or as a library's own variable).</summary>
    public bool Accepts(string variable) =>
        LibraryVariablePrefixes.Any(p => variable.StartsWith(p, StringComparison.Ordinal))
        || LibraryVariables.Contains(variable)
        || Contains(FromEnvironment(variable));

    public bool Contains(string key) =>
        _keys.Contains(key)
        || _dictionaryPrefixes.Any(p => key.StartsWith(p, StringComparison.OrdinalIgnoreCase) && !key[p.Length..].Contains(':') && key.Length > p.Length)
        || _listPrefixes.Any(p => key.StartsWith(p, StringComparison.OrdinalIgnoreCase) && key[p.Length..] is { Length: > 0 } index && index.All(char.IsAsciiDigit));

    private void AddJson(JsonElement element, string? prefix)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    AddJson(property.Value, prefix is null ? property.Name : $"{prefix}:{property.Name}");
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    AddJson(item, $"{prefix}:{index++}");
                }

                break;
            default:
                _keys.Add(prefix!);
                break;
        }
    }

    private void AddOptions(Type type, string prefix, int depth)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var key = $"{prefix}:{property.Name}";
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (IsDictionary(propertyType))
            {
                _dictionaryPrefixes.Add(key + ":");
            }
            else if (property.SetMethod is not { IsPublic: true })
            {
                continue;
            }
            else if (IsLeaf(propertyType))
            {
                _keys.Add(key);
            }
            else if (ElementOfList(propertyType) is { } element && IsLeaf(element))
            {
                // A list of values is configured item by item: Messaging:RabbitMq:Hosts:0, …:1.
                _listPrefixes.Add(key + ":");
            }
            else if (propertyType.IsClass && depth < 5)
            {
                AddOptions(propertyType, key, depth + 1);
            }
        }
    }

    private static bool IsLeaf(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(Uri) || type == typeof(DateTimeOffset) || type == typeof(Guid);

    private static Type? ElementOfList(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) ? type.GetGenericArguments()[0]
        : null;

    private static bool IsDictionary(Type type) =>
        type.IsGenericType && type.GetInterfaces().Append(type).Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
}
